#!/usr/bin/env bash
# Installs what building, testing and demoing Palisade needs on Debian 12.
# Idempotent and fast on reruns: apt runs only when a package is missing.
#
#   scripts/deps.sh            install what is missing, then `go mod download`
#   scripts/deps.sh --check    only report what is missing (exit 1 if anything is)
set -euo pipefail

cd "$(dirname "$0")/.."

PACKAGES=(
	# XMPP servers for the demo and the integration tests (run privately, never as services)
	prosody ejabberd
	# SQLite for the test Prosody's message archives (fast MAM paging)
	lua-dbi-sqlite3
	# OS keyring (Secret Service) and a session bus for it
	gnome-keyring dbus dbus-x11 libsecret-tools
	# headless display (with Mesa software OpenGL for Fyne), screenshots, window lookup
	xvfb libgl1-mesa-dri imagemagick xdotool
	# a StatusNotifierItem tray host for looking at the tray icon under Xvfb (scripts/tray-host.sh)
	haskell-gtk-sni-tray-utils
	# Fyne's cgo build: OpenGL and X11 headers
	gcc pkg-config libgl1-mesa-dev xorg-dev libxkbcommon-dev
	# ClamAV for the file scan tests: clamd (run privately on a Unix socket,
	# never as a service) and sigtool for the test signature
	clamav-daemon clamav
	# Tor for routing the connection through it (the tests start it with networking disabled)
	tor
	# the demo peer bot (python3-cryptography: its device key signs its messages)
	python3 python3-slixmpp python3-cryptography
	# test CA and certificates, process and socket tools used by the scripts
	openssl procps iproute2 ca-certificates make git
	# packages (scripts/package.sh): the .deb and its Depends, AppStream and
	# .desktop validation, the Windows cross-compiler and Authenticode signing
	dpkg-dev appstream desktop-file-utils file xz-utils
	gcc-mingw-w64-x86-64-win32 binutils-mingw-w64-x86-64 osslsigncode
)

log() { printf 'deps: %s\n' "$*" >&2; }

missing=()
for p in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	if [ "$status" != "installed" ]; then
		missing+=("$p")
	fi
done

if [ "${1:-}" = "--check" ]; then
	if [ ${#missing[@]} -gt 0 ]; then
		log "missing: ${missing[*]}"
		exit 1
	fi
	log "all Debian packages present"
	exit 0
fi

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	else
		sudo -E "$@"
	fi
}

if [ ${#missing[@]} -gt 0 ]; then
	log "installing: ${missing[*]}"
	# Keep package scripts from starting prosody/ejabberd/clamd/freshclam as system services:
	# the demo and the tests run their own private servers on other ports.
	made_policy=0
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
		as_root chmod 755 /usr/sbin/policy-rc.d
		made_policy=1
	fi
	trap '[ "$made_policy" = 1 ] && as_root rm -f /usr/sbin/policy-rc.d' EXIT
	export DEBIAN_FRONTEND=noninteractive
	as_root apt-get update -qq
	as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	log "installed"
else
	log "all Debian packages present"
fi

# Stop and disable system prosody/ejabberd/clamav services if something started
# them (clamav-freshclam would try to download signatures; the tests bring their own).
for svc in prosody ejabberd clamav-daemon clamav-freshclam; do
	if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
		if systemctl is-enabled --quiet "$svc" 2>/dev/null || systemctl is-active --quiet "$svc" 2>/dev/null; then
			log "disabling system $svc service"
			as_root systemctl disable --now "$svc" >/dev/null 2>&1 || true
		fi
	elif [ -x "/etc/init.d/$svc" ]; then
		# Judge by the pid file: "/etc/init.d/ejabberd status" runs
		# ejabberdctl, which starts an epmd listening on every interface.
		case $svc in
		clamav-daemon) pidfile=/run/clamav/clamd.pid ;;
		clamav-freshclam) pidfile=/run/clamav/freshclam.pid ;;
		*) pidfile=/run/$svc/$svc.pid ;;
		esac
		if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
			log "stopping system $svc service"
			as_root "/etc/init.d/$svc" stop >/dev/null 2>&1 || true
		fi
		if command -v update-rc.d >/dev/null && ls /etc/rc[2-5].d/S*"$svc" >/dev/null 2>&1; then
			as_root update-rc.d "$svc" disable >/dev/null 2>&1 || true
		fi
	fi
done

# Go: /usr/local/go is where Debian-based images and the official tarball put it.
if ! command -v go >/dev/null; then
	if [ -x /usr/local/go/bin/go ]; then
		export PATH="/usr/local/go/bin:$PATH"
	else
		log "Go not found: install Go 1.26 or newer into /usr/local/go (https://go.dev/doc/install)"
		exit 1
	fi
fi
go mod download
log "Go modules ready ($(go version | awk '{print $3}'))"
