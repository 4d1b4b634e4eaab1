#!/usr/bin/env bash
# Install or upgrade camwarden on a gateway (run as root). Idempotent: running it again upgrades the code and
# never overwrites configuration, secrets or state.
#
#   deploy/install.sh [--dry-run] [--prefix DIR] [PACKAGE.tgz]
#
# Source: PACKAGE.tgz (a release/`git archive` tarball or `npm pack` output), else the tree this script is in.
# --dry-run  print every action, change nothing.
# --prefix   install under DIR instead of / (for tests and image builds); user creation, chown and systemctl
#            are skipped there.
set -euo pipefail

DRY_RUN=0
PREFIX=""
TARBALL=""
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --prefix)
      [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }
      PREFIX="${2%/}"; shift ;;
    --prefix=*) PREFIX="${1#--prefix=}"; PREFIX="${PREFIX%/}" ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) [ -z "$TARBALL" ] || { echo "install.sh: one package only" >&2; exit 2; }; TARBALL="$1" ;;
  esac
  shift
done

USER_NAME=camwarden
OPT="$PREFIX/opt/camwarden"
ETC="$PREFIX/etc/camwarden"
DATA="$PREFIX/var/lib/camwarden"
UNIT_DIR="$PREFIX/etc/systemd/system"
NFT_DIR="$PREFIX/etc/nftables.d"

say() { printf '==> %s\n' "$*"; }
# Runs a command, or only prints it under --dry-run.
run() {
  if [ "$DRY_RUN" = 1 ]; then printf '    [dry-run] %s\n' "$*"; else "$@"; fi
}

if [ -z "$PREFIX" ] && [ "$DRY_RUN" = 0 ] && [ "$(id -u)" != 0 ]; then
  echo "install.sh: run as root (or use --dry-run / --prefix)" >&2
  exit 1
fi
if [ -n "$TARBALL" ] && [ ! -f "$TARBALL" ]; then
  echo "install.sh: $TARBALL: no such file" >&2
  exit 2
fi

# Without --prefix we act on the real system; with it, ownership changes need the user to exist already.
real_system() { [ -z "$PREFIX" ]; }
have_user() { getent passwd "$USER_NAME" >/dev/null 2>&1; }
systemd_running() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }

# --- 1. user and group ---------------------------------------------------------------------------------------
say "1/7 user and group '$USER_NAME' (system account, no login, no home)"
if ! real_system; then
  echo "    skipped: --prefix given (create it on the target with: useradd --system --user-group $USER_NAME)"
elif have_user; then
  echo "    exists"
else
  run useradd --system --user-group --home-dir /var/lib/camwarden --no-create-home \
    --shell /usr/sbin/nologin --comment "camwarden agent" "$USER_NAME"
fi
chown_cw() { # chown_cw OWNER:GROUP PATH: only where the account exists
  if real_system || have_user; then run chown "$1" "$2"; fi
}

# --- 2. code in /opt/camwarden -------------------------------------------------------------------------------
say "2/7 package into $OPT (root-owned: the service user cannot modify its own code)"
STAGE="$OPT.new"
run rm -rf "$STAGE"
run mkdir -p "$STAGE"
if [ -n "$TARBALL" ]; then
  echo "    from tarball $TARBALL"
  run tar -xzf "$TARBALL" -C "$STAGE"
  # `npm pack` tarballs hold everything under package/.
  if [ "$DRY_RUN" = 0 ] && [ -d "$STAGE/package" ] && [ -f "$STAGE/package/package.json" ]; then
    (shopt -s dotglob; mv "$STAGE"/package/* "$STAGE"/ && rmdir "$STAGE/package")
  fi
else
  SRC="$(cd "$SCRIPT_DIR/.." && pwd)"
  echo "    from source tree $SRC"
  [ -f "$SRC/package.json" ] || { echo "install.sh: $SRC is not a camwarden package" >&2; exit 2; }
  # Everything but local state, VCS data and installed modules (rebuilt below for this machine).
  run tar -C "$SRC" --exclude=./node_modules --exclude=./.git --exclude=./.camwarden -cf "$STAGE/.src.tar" .
  run tar -xf "$STAGE/.src.tar" -C "$STAGE"
  run rm -f "$STAGE/.src.tar"
fi

say "    dependencies and build (npm ci --omit=dev; build first when the package ships sources)"
npm_in_stage() { if [ "$DRY_RUN" = 1 ]; then run npm "$@"; else (cd "$STAGE" && npm "$@"); fi; }
NPM_FLAGS=(--no-audit --no-fund --ignore-scripts)
needs_build=0
if [ "$DRY_RUN" = 1 ] || [ -f "$STAGE/tsconfig.build.json" ]; then needs_build=1; fi
if [ "$DRY_RUN" = 0 ] && [ -f "$STAGE/dist/cli/main.js" ] && [ ! -d "$STAGE/src" ]; then needs_build=0; fi
if [ "$DRY_RUN" = 0 ] && [ ! -f "$STAGE/package-lock.json" ]; then
  # npm pack never includes the lockfile; a prebuilt package still installs, though less reproducibly.
  echo "    warning: no package-lock.json in the package: npm install --omit=dev instead of npm ci" >&2
  npm_in_stage install --omit=dev "${NPM_FLAGS[@]}"
elif [ "$needs_build" = 1 ]; then
  # The build needs the dev dependencies (TypeScript); they are removed again right after it.
  npm_in_stage ci "${NPM_FLAGS[@]}"
  npm_in_stage run build
  npm_in_stage ci --omit=dev "${NPM_FLAGS[@]}"
else
  npm_in_stage ci --omit=dev "${NPM_FLAGS[@]}"
fi
if [ "$DRY_RUN" = 0 ] && [ ! -f "$STAGE/dist/cli/main.js" ]; then
  echo "install.sh: build produced no dist/cli/main.js" >&2
  exit 1
fi
run chmod -R u=rwX,go=rX "$STAGE"
if real_system; then run chown -R root:root "$STAGE"; fi

# Swap in the new tree; stop the running agent for the swap (upgrade = stop, replace, start).
was_active=0
if real_system && systemd_running && systemctl is-active --quiet camwarden 2>/dev/null; then
  was_active=1
  run systemctl stop camwarden
fi
if [ -e "$OPT" ] || [ "$DRY_RUN" = 1 ]; then
  run rm -rf "$OPT.prev"
  if [ -e "$OPT" ]; then run mv "$OPT" "$OPT.prev"; fi
fi
run mv "$STAGE" "$OPT"
echo "    previous version (if any) kept in $OPT.prev"

# --- 3. configuration in /etc/camwarden ----------------------------------------------------------------------
say "3/7 configuration in $ETC (existing files are never overwritten)"
run mkdir -p "$ETC"
run chmod 0750 "$ETC"
chown_cw "root:$USER_NAME" "$ETC"
install_once() { # install_once SOURCE TARGET MODE
  if [ -e "$2" ]; then
    echo "    kept existing $2 (new example: $1)"
  else
    run install -m "$3" "$1" "$2"
    chown_cw "root:$USER_NAME" "$2"
  fi
}
install_once "$OPT/deploy/camwarden.example.yaml" "$ETC/camwarden.yaml" 0640
# The env file holds secrets: readable by the service group only.
install_once "$OPT/deploy/camwarden.env.example" "$ETC/camwarden.env" 0640
if [ -e "$ETC/device-profiles" ]; then
  echo "    kept existing $ETC/device-profiles (bundled profiles of this version: $OPT/device-profiles)"
else
  run cp -R "$OPT/device-profiles" "$ETC/device-profiles"
  run chmod -R u=rwX,g=rX,o= "$ETC/device-profiles"
  if real_system || have_user; then run chown -R "root:$USER_NAME" "$ETC/device-profiles"; fi
fi

# --- 4. state directory --------------------------------------------------------------------------------------
say "4/7 state directory $DATA (0750, owned by $USER_NAME)"
run mkdir -p "$DATA"
run chmod 0750 "$DATA"
chown_cw "$USER_NAME:$USER_NAME" "$DATA"

# --- 5. systemd unit -----------------------------------------------------------------------------------------
say "5/7 systemd unit $UNIT_DIR/camwarden.service"
run mkdir -p "$UNIT_DIR"
run install -m 0644 "$OPT/deploy/camwarden.service" "$UNIT_DIR/camwarden.service"

# --- 6. nftables snippet -------------------------------------------------------------------------------------
say "6/7 nftables WAN 3702/udp guard $NFT_DIR/camwarden-wan-3702.nft (not loaded: edit WAN_IF first)"
run mkdir -p "$NFT_DIR"
if [ -e "$NFT_DIR/camwarden-wan-3702.nft" ]; then
  echo "    kept existing $NFT_DIR/camwarden-wan-3702.nft (it holds your WAN_IF)"
else
  run install -m 0644 "$OPT/deploy/nftables/camwarden-wan-3702.nft" "$NFT_DIR/camwarden-wan-3702.nft"
fi

# --- 7. systemd daemon-reload --------------------------------------------------------------------------------
say "7/7 systemctl daemon-reload"
if ! real_system; then
  echo "    skipped: --prefix given"
elif systemd_running; then
  run systemctl daemon-reload
  if [ "$was_active" = 1 ]; then run systemctl start camwarden; fi
else
  echo "    skipped: systemd is not running on this machine"
fi

cat <<EOF

camwarden is installed$([ "$DRY_RUN" = 1 ] && echo " (dry run: nothing was changed)"). Next steps:
  1. Edit $PREFIX/etc/camwarden/camwarden.yaml (site id, gateway id, filing fields, recordings dir) and put
     secrets in $PREFIX/etc/camwarden/camwarden.env (CAMWARDEN_MQTT_PASSWORD, CAMWARDEN_ONVIF_PASSWORD).
  2. Describe the site in $PREFIX/etc/camwarden/device-profiles/site/ and check it:
       sudo -u camwarden CAMWARDEN_CONFIG=/etc/camwarden/camwarden.yaml node /opt/camwarden/dist/cli/main.js profiles check /etc/camwarden/device-profiles
  3. Let camwarden delete and quarantine recordings: give the camwarden group write access to the recordings
     root (or change ReadWritePaths= with: systemctl edit camwarden).
  4. Set WAN_IF in $NFT_DIR/camwarden-wan-3702.nft, load it (nft -f ...) and include it from /etc/nftables.conf.
  5. Try one scan, then start the daemon:
       sudo -u camwarden CAMWARDEN_CONFIG=/etc/camwarden/camwarden.yaml node /opt/camwarden/dist/cli/main.js scan
       systemctl enable --now camwarden && journalctl -u camwarden -f
EOF
