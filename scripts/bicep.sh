#!/usr/bin/env bash
# The Bicep CLI for infra/, installed from the NuGet package Azure.Bicep.CommandLine.linux-x64
# (restored by infra/tools/bicep-cli.proj from the feed in nuget.config), so a fresh machine needs
# only the .NET SDK. Every subcommand treats a warning as a failure: the templates must compile
# and lint with zero diagnostics.
#
#   scripts/bicep.sh path               install if needed; print the path of the bicep binary
#   scripts/bicep.sh build [OUTDIR]     compile infra/main.bicep and infra/main.bicepparam into OUTDIR
#                                       (a new temp folder if omitted); prints OUTDIR on stdout
#   scripts/bicep.sh lint               lint every .bicep and .bicepparam file under infra/
#   scripts/bicep.sh snapshot [PARAMS]  evaluate the deployment of PARAMS (default infra/main.bicepparam)
#                                       offline, as a placeholder subscription/resource group/region
#                                       would see it, into PARAMS' folder as NAME.snapshot.json (the
#                                       template's fail() checks run too); prints that path
#   scripts/bicep.sh run ARGS...        run the bicep CLI with ARGS (e.g. build-params FILE --outfile X)
#   scripts/bicep.sh --help             this text (installs nothing; `run --help` is the bicep CLI's help)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
proj="$root/infra/tools/bicep-cli.proj"

die() { echo "bicep.sh: $*" >&2; exit 1; }
usage_error() { echo "bicep.sh: $* (--help explains the commands)" >&2; exit 2; }

# --help or -h anywhere before `run` (whose arguments are the bicep CLI's) prints this and does nothing else.
for arg in "$@"; do
  [ "$arg" = run ] && break
  if [ "$arg" = -h ] || [ "$arg" = --help ]; then
    sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"
    exit 0
  fi
done
# Each command's arguments are checked before anything is installed.
case "${1:-}" in
  path|lint) [ $# -le 1 ] || usage_error "$1 takes no arguments, got '$2'";;
  build) [ $# -le 2 ] || usage_error "build takes at most one OUTDIR, got '$3' too";;
  snapshot)
    [ $# -le 2 ] || usage_error "snapshot takes at most one PARAMS file, got '$3' too"
    [ -z "${2:-}" ] || [ -f "$2" ] || usage_error "snapshot got '$2': expected a .bicepparam file";;
  run) ;;
  "") usage_error "which command? expected path, build, lint, snapshot or run";;
  *) usage_error "unknown command '$1': expected path, build, lint, snapshot or run";;
esac

# The version lives in one place: the PackageDownload item of the restore project.
version=$(sed -n 's/.*Include="Azure.Bicep.CommandLine.linux-x64" Version="\[\([^]]*\)\]".*/\1/p' "$proj")
[ -n "$version" ] || die "cannot read the Bicep CLI version from $proj"

packages_folder() {
  local folder
  folder=$(cd "$root" && dotnet nuget locals global-packages --list 2>/dev/null | sed -n 's/^global-packages: *//p' | tail -1)
  folder=${folder%/}
  [ -n "$folder" ] || folder=${NUGET_PACKAGES:-$HOME/.nuget/packages}
  echo "$folder"
}

install_bicep() {
  command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is not on PATH; it is needed to install the Bicep CLI"
  [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || die "only linux-x64 is set up (this is $(uname -s)-$(uname -m))"
  local bin
  bin="$(packages_folder)/azure.bicep.commandline.linux-x64/$version/tools/bicep"
  if [ ! -x "$bin" ]; then
    # Several test processes may ask at once: one restores, the others wait for it.
    mkdir -p "$root/infra/tools/obj"
    (
      flock 9
      if [ ! -f "$bin" ]; then
        echo "bicep.sh: installing the Bicep CLI $version (NuGet package Azure.Bicep.CommandLine.linux-x64)" >&2
        dotnet restore "$proj" -nologo -v quiet >&2 ||
          die "dotnet restore $proj failed: the Bicep CLI $version could not be installed"
      fi
      [ -f "$bin" ] || die "the package restored but $bin is missing"
      chmod u+x "$bin"
    ) 9>"$root/infra/tools/obj/bicep-install.lock"
  fi
  echo "$bin"
}

# Runs bicep with the given arguments; fails when it fails or prints any diagnostic (error,
# warning or info), and passes its diagnostics through to stderr.
run_strict() {
  local bin=$1; shift
  local log status=0
  log=$(mktemp)
  "$bin" "$@" 2>"$log" || status=$?
  cat "$log" >&2
  if [ "$status" -ne 0 ]; then
    rm -f "$log"; die "bicep $1 failed (exit $status)"
  fi
  if grep -Eq '\) : (Error|Warning|Info) ' "$log"; then
    rm -f "$log"; die "bicep $1 reported diagnostics (warnings count as failures)"
  fi
  rm -f "$log"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  path)
    install_bicep
    ;;
  build)
    bin=$(install_bicep)
    out=${1:-$(mktemp -d "${TMPDIR:-/tmp}/bicep-build.XXXXXX")}
    mkdir -p "$out"
    run_strict "$bin" build "$root/infra/main.bicep" --outfile "$out/main.json"
    run_strict "$bin" build-params "$root/infra/main.bicepparam" --outfile "$out/main.parameters.json"
    echo "$out"
    ;;
  lint)
    bin=$(install_bicep)
    found=0
    while IFS= read -r -d '' file; do
      found=1
      echo "== bicep lint ${file#"$root"/}" >&2
      run_strict "$bin" lint "$file"
    done < <(find "$root/infra" -path "$root/infra/tools" -prune -o \( -name '*.bicep' -o -name '*.bicepparam' \) -type f -print0 | sort -z)
    [ "$found" -eq 1 ] || die "no .bicep files under infra/"
    echo "bicep lint: no diagnostics" >&2
    ;;
  snapshot)
    bin=$(install_bicep)
    params=${1:-$root/infra/main.bicepparam}
    [ -f "$params" ] || die "no parameters file $params"
    run_strict "$bin" snapshot "$params" \
      --subscription-id "${BICEP_SNAPSHOT_SUBSCRIPTION:-00000000-0000-4000-8000-00000000e5c1}" \
      --resource-group "${BICEP_SNAPSHOT_RESOURCE_GROUP:-rg-escalation-snapshot}" \
      --location "${BICEP_SNAPSHOT_LOCATION:-swedencentral}"
    echo "${params%.bicepparam}.snapshot.json"
    ;;
  run)
    bin=$(install_bicep)
    exec "$bin" "$@"
    ;;
esac
