# Sourced by build.sh, lock.sh and test.sh: what each etcd-client line needs.
#   sdk_features VERSION  -> cargo features of this source for that line
#   sdk_tonic VERSION     -> the tonic minor that line links (pinned as `sdk-tonic`)
#   pin_cargo_toml VERSION IN OUT -> IN's Cargo.toml with etcd-client pinned (and sdk-tonic
#                                  uncommented and pinned when the SDK has another tonic)

sdk_features() {
  local f=""
  case "$1" in
    # < 0.18: WatchClient::watch returns (Watcher, WatchStream)
    0.1[2-7].*) f="sdk-watch-legacy" ;;
    # >= 0.20: ConnectOptions::with_auto_token_refresh
    0.[2-9][0-9].*) f="sdk-token-refresh" ;;
  esac
  if [ "$(sdk_tonic "$1")" != "0.14" ]; then
    f="${f:+$f,}sdk-own-tonic"
  fi
  echo "$f"
}

sdk_tonic() {
  case "$1" in
    0.12.*) echo "0.10" ;;
    0.13.*) echo "0.11" ;;
    0.14.*|0.15.*) echo "0.12" ;;
    0.16.*) echo "0.13" ;;
    *) echo "0.14" ;;
  esac
}

pin_cargo_toml() {
  local version="$1" in="$2" out="$3" tonic
  tonic="$(sdk_tonic "$version")"
  if [ "$tonic" = "0.14" ]; then
    sed -E "s/^etcd-client = \{ version = \"=[^\"]+\"/etcd-client = { version = \"=$version\"/" "$in" > "$out"
  else
    sed -E \
      -e "s/^etcd-client = \{ version = \"=[^\"]+\"/etcd-client = { version = \"=$version\"/" \
      -e "s/^#sdk-tonic = \{ package = \"tonic\", version = \"[^\"]+\"/sdk-tonic = { package = \"tonic\", version = \"$tonic\"/" \
      "$in" > "$out"
    grep -q "^sdk-tonic = { package = \"tonic\", version = \"$tonic\"" "$out" || { echo "could not pin sdk-tonic in $out" >&2; return 1; }
  fi
  grep -q "^etcd-client = { version = \"=$version\"" "$out" || { echo "could not pin etcd-client in $out" >&2; return 1; }
}
