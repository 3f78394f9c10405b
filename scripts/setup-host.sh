#!/usr/bin/env bash
# Install everything the build and the QEMU guest need on a Debian 12 host.
# Idempotent: each step checks first and does nothing when already satisfied.
source "$(dirname "${BASH_SOURCE[0]}")/lib/lib.sh"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

BACKPORTS_LIST=/etc/apt/sources.list.d/dm-io-rs-backports.sources
# scripts/lib/build-guest-root.sh fetches cryptsetup's source (its test scripts)
# with apt-get source.
DEB_SRC_LIST=/etc/apt/sources.list.d/dm-io-rs-deb-src.sources
APT_PACKAGES=(
	clang-19 lld-19 llvm-19 libclang-19-dev
	flex bison bc libelf-dev libssl-dev cpio kmod rsync xz-utils
	busybox-static make python3 ca-certificates
	dmsetup cryptsetup-bin fio
	debootstrap e2fsprogs dpkg-dev
	gcc libc6-dev
)
BINDGEN_MIN="0.71.1"

# deb-src for trixie-backports: the series' apply check needs the
# upstream tarball of Debian's kernel source package.
BACKPORTS_SOURCES='Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports trixie-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'

add_backports() {
	if [ "$(cat "$BACKPORTS_LIST" 2>/dev/null)" = "$BACKPORTS_SOURCES" ]; then
		info "backports sources present"
		return 1
	fi
	step "adding bookworm-backports and trixie-backports apt sources"
	printf '%s\n' "$BACKPORTS_SOURCES" | $SUDO tee "$BACKPORTS_LIST" >/dev/null
	return 0
}

add_deb_src() {
	if [ -f "$DEB_SRC_LIST" ]; then
		info "bookworm deb-src source present"
		return 1
	fi
	step "adding the bookworm deb-src apt source"
	$SUDO tee "$DEB_SRC_LIST" >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	return 0
}

apt_stamp="$CACHE_DIR/apt-updated"
mkdir -p "$CACHE_DIR"
need_update=0
add_backports && need_update=1
# A new source needs its index now, whatever else is installed.
if add_deb_src; then
	step "apt-get update (new deb-src source)"
	timed $SUDO apt-get update -q
	touch "$apt_stamp"
fi
[ -f "$apt_stamp" ] || need_update=1

missing=()
for p in "${APT_PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
need_qemu=0
command -v qemu-system-x86_64 >/dev/null || need_qemu=1

if [ "${#missing[@]}" -gt 0 ] || [ "$need_qemu" -eq 1 ]; then
	if [ "$need_update" -eq 1 ] || [ "${DM_IO_RS_APT_UPDATE:-0}" = 1 ]; then
		step "apt-get update"
		timed $SUDO apt-get update -q
		touch "$apt_stamp"
	fi
	export DEBIAN_FRONTEND=noninteractive
	if [ "${#missing[@]}" -gt 0 ]; then
		step "installing apt packages: ${missing[*]}"
		timed $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
	fi
	if [ "$need_qemu" -eq 1 ]; then
		# The image's qemu-utils comes from bookworm-backports; the
		# system emulator must come from there too.
		step "installing qemu-system-x86 from bookworm-backports"
		timed $SUDO apt-get install -y -q --no-install-recommends \
			-t bookworm-backports qemu-system-x86
	fi
else
	info "apt packages present"
fi

# The kernel build runs rustc from the kernel tree (the default toolchain);
# rustfmt and clippy run here (the toolchain pinned by rust-toolchain.toml,
# which rustup installs on first use). Both need the components.
for dir in / "$PROJECT_DIR"; do
	installed="$(cd "$dir" && rustup component list --installed 2>/dev/null)"
	if ! grep -q '^rust-src' <<<"$installed" || ! grep -q '^rustfmt' <<<"$installed" ||
		! grep -q '^clippy' <<<"$installed"; then
		step "rustup component add rust-src rustfmt clippy ($(cd "$dir" && rustup show active-toolchain | cut -d' ' -f1))"
		(cd "$dir" && rustup component add rust-src rustfmt clippy)
	else
		info "rust-src, rustfmt, clippy present ($(cd "$dir" && rustup show active-toolchain | cut -d' ' -f1))"
	fi
done

version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }
have_bindgen=""
if command -v bindgen >/dev/null; then
	have_bindgen="$(bindgen --version 2>/dev/null | awk '{print $2}')"
fi
if [ -z "$have_bindgen" ] || ! version_ge "$have_bindgen" "$BINDGEN_MIN"; then
	step "cargo install --locked bindgen-cli (found '${have_bindgen:-none}', need >= $BINDGEN_MIN; ~1 min)"
	timed cargo install --locked bindgen-cli
else
	info "bindgen $have_bindgen present"
fi
step "host ready"
