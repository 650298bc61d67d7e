#!/usr/bin/env bash
# package.sh [build|check|all]: Palisade's installable packages.
#
#   build  (default) builds into dist/, named after FyneApp.toml's Version:
#     palisade-VERSION-linux-amd64.tar.xz   the tarball `fyne package` makes
#         (binary, icon, .desktop entry, a Makefile with install and
#         user-install) plus palisade-admin and the AppStream metainfo;
#     palisade_VERSION-BUILD_amd64.deb      /usr/bin/palisade and
#         palisade-admin, the .desktop entry, hicolor icons, the metainfo,
#         the docs and an empty /etc/palisade/keys; Depends computed by
#         dpkg-shlibdeps from what the binaries link;
#     palisade-VERSION-windows-amd64.exe, palisade-admin-VERSION-windows-amd64.exe
#         cross-compiled with mingw-w64 (icon, manifest and version
#         information linked in) and signed with osslsigncode;
#     SHA256SUMS.
#   check  proves the packages work: the tarball's contents and its
#     `make install`, `appstreamcli validate --no-net` and
#     `desktop-file-validate`; the .deb installed (dpkg -i as root, the
#     package purged afterwards; otherwise extracted with dpkg-deb -x into a
#     temporary root, and the output says which), the installed client's
#     --version, `policy explain` on a profile signed with the installed
#     palisade-admin, and a real start: scripts/smoke-gui.sh runs the
#     installed binary under Xvfb, signed in to a private Prosody (screenshot
#     build/package-screenshot.png); `osslsigncode verify` on both .exe files,
#     their subsystem and that they need no MinGW DLL.
#   all    build, then check (the `package` step of make test).
#
# The Linux binaries are built with the same flags as `make bin` (only the
# link differs: -X for the version, -s -w), so they reuse its compiled
# packages; `fyne package` is given the built binary (--executable) and a
# staging copy of FyneApp.toml, so it neither recompiles the cgo code nor
# rewrites the committed FyneApp.toml. Each step's time is printed and kept
# in build/package-times.tsv.
#
# Code signing: without PALISADE_SIGN_CERT, a throwaway self-signed test
# certificate is made in build/pkg/windows/testcert (never in dist/). In real
# use IT signs with its own code-signing certificate:
#   PALISADE_SIGN_CERT=cert.pem PALISADE_SIGN_KEY=key.pem       PEM certificate (chain) and key
#   PALISADE_SIGN_PKCS12=codesign.pfx                           or a PKCS#12 file
#   PALISADE_SIGN_PASSWORD_FILE=pass.txt                        the key's password, if any
#   PALISADE_SIGN_TIMESTAMP_URL=http://timestamp.example        RFC 3161 time-stamping server
#   PALISADE_SIGN_CAFILE=ca.pem                                 chain for `check` to verify against
# Other environment: PALISADE_DEB_MAINTAINER ("Name <mail>"), PALISADE_PIE=1
# (position-independent executables; recompiles everything), SKIP_WINDOWS=1,
# SKIP_GUI_CHECK=1 (check without the Xvfb start).
set -euo pipefail
SCRIPT_NAME=package
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

mode=${1:-build}
case $mode in
build | check | all) ;;
-h | --help | help)
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
	;;
*) die "unknown mode '$mode' (build, check or all)" ;;
esac

FYNE_CLI=${FYNE_CLI:-fyne.io/tools/cmd/fyne@v1.7.4}
PKG=$ROOT/build/pkg
DIST=$ROOT/dist
CLI_PKG=github.com/palisade-im/palisade/cmd/client/internal/cli
WIN_CC=${WIN_CC:-x86_64-w64-mingw32-gcc}
WIN_WINDRES=${WIN_WINDRES:-x86_64-w64-mingw32-windres}
WIN_OBJDUMP=${WIN_OBJDUMP:-x86_64-w64-mingw32-objdump}

# ---- metadata from FyneApp.toml ([Details] and the top-level keys)
toml() { # toml SECTION KEY: a string or integer value
	awk -v sec="$1" -v key="$2" '
		/^[ \t]*\[/ { cur = $0; gsub(/[ \t\[\]]/, "", cur); next }
		cur == sec {
			line = $0; sub(/^[ \t]+/, "", line)
			n = index(line, "="); if (n == 0) next
			k = substr(line, 1, n - 1); gsub(/[ \t]/, "", k)
			if (k != key) next
			v = substr(line, n + 1); sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v)
			gsub(/^"|"$/, "", v); print v; exit
		}' FyneApp.toml
}
VERSION=$(toml Details Version)
BUILD=$(toml Details Build)
APPID=$(toml Details ID)
APPNAME=$(toml Details Name)
ICON=$(toml Details Icon)
WEBSITE=$(toml "" Website)
SUMMARY=$(toml LinuxAndBSD Comment)
[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "FyneApp.toml: Version '$VERSION' is not MAJOR.MINOR.PATCH"
[[ $BUILD =~ ^[1-9][0-9]*$ ]] || die "FyneApp.toml: Build '$BUILD' is not a positive integer"
if [ -z "$APPID" ] || [ -z "$APPNAME" ]; then die "FyneApp.toml: ID and Name are required"; fi
[ -f "$ICON" ] || die "FyneApp.toml: icon '$ICON' not found"

METAINFO=packaging/linux/$APPID.metainfo.xml
TARBALL=$DIST/palisade-$VERSION-linux-amd64.tar.xz
DEB_VERSION=$VERSION-$BUILD
DEB=$DIST/palisade_${DEB_VERSION}_amd64.deb
EXE=$DIST/palisade-$VERSION-windows-amd64.exe
ADMIN_EXE=$DIST/palisade-admin-$VERSION-windows-amd64.exe
LDX="-X $CLI_PKG.Version=$VERSION -X $CLI_PKG.Build=$BUILD"
# Timestamps inside the archives: the last commit's, for repeatable builds.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

mkdir -p "$ROOT/build"
TIMES=$ROOT/build/package-times.tsv
# timed NAME CMD...: run CMD, print and record how long it took.
timed() {
	local name=$1 t0=$SECONDS
	shift
	say "-- $name"
	"$@"
	say "-- $name: $((SECONDS - t0))s"
	printf '%s\t%d\n' "$name" "$((SECONDS - t0))" >>"$TIMES"
}

need() { # need TOOL PACKAGE
	command -v "$1" >/dev/null || die "$1 not found: install Debian's $2 (scripts/deps.sh does)"
}

# ======================================================================
# build
# ======================================================================

# Linked by gcc with full RELRO and immediate binding (link-time flags only,
# so nothing is recompiled). PALISADE_PIE=1 also makes position-independent
# executables, which recompiles every package (cgo included) once.
build_linux_bins() {
	mkdir -p "$PKG/linux"
	local ld="$LDX -s -w -linkmode=external -extldflags=-Wl,-z,relro,-z,now" pie=()
	[ "${PALISADE_PIE:-}" = 1 ] && pie=(-buildmode=pie)
	go build "${pie[@]}" -ldflags "$ld" -o "$PKG/linux/palisade" ./cmd/client
	go build "${pie[@]}" -ldflags "$ld" -o "$PKG/linux/palisade-admin" ./cmd/palisade-admin
	say "$("$PKG/linux/palisade" --version)"
}

# The tarball: `fyne package` lays out the binary, icon and .desktop entry
# (from FyneApp.toml); palisade-admin, the metainfo and a Makefile that
# installs them too are added here.
build_tarball() {
	# The stage's name starts with "_" so that the Go tool never takes its
	# main.go for a package of this module (./... skips such directories).
	local stage=$PKG/_fyne tree=$PKG/tar/palisade
	rm -rf "$stage" "$PKG/tar"
	mkdir -p "$stage/src/$(dirname "$ICON")" "$stage/out" "$PKG/tar"
	cp FyneApp.toml "$stage/src/"
	cp "$ICON" "$stage/src/$ICON"
	# fyne package wants Go code in its source directory; it is never built
	# since the executable is given.
	printf 'package main\n\nfunc main() {}\n' >"$stage/src/main.go"
	# Its .tar.xz is only unpacked again here: the fastest compression will do.
	(cd "$stage/out" && XZ_OPT="-0 -T0" go run "$FYNE_CLI" package --os linux --release \
		--executable "$PKG/linux/palisade" --src "$stage/src")
	tar -xJf "$stage/out/$APPNAME.tar.xz" -C "$PKG/tar"
	[ -d "$tree" ] || die "fyne package made no palisade/ directory"
	# fyne uses usr/ instead of usr/local/ on a machine without /usr/local.
	if [ ! -d "$tree/usr/local" ]; then
		mkdir -p "$tree/usr.tmp/local" && mv "$tree/usr"/* "$tree/usr.tmp/local/" && rmdir "$tree/usr" && mv "$tree/usr.tmp" "$tree/usr"
	fi
	install -m 0755 "$PKG/linux/palisade-admin" "$tree/usr/local/bin/palisade-admin"
	install -Dm 0644 "$METAINFO" "$tree/usr/local/share/metainfo/$APPID.metainfo.xml"
	install -m 0644 packaging/linux/Makefile "$tree/Makefile"
	install -m 0644 packaging/linux/INSTALL.txt "$tree/INSTALL.txt"
	mkdir -p "$DIST"
	XZ_OPT="-6 -T0" tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
		-C "$PKG/tar" -cJf "$TARBALL" palisade
	say "$(basename "$TARBALL"): $(du -h "$TARBALL" | cut -f1)"
}

build_deb() {
	need dpkg-shlibdeps dpkg-dev
	need convert imagemagick
	local work=$PKG/deb root s maint
	root=$work/debian/palisade
	maint=${PALISADE_DEB_MAINTAINER:-The Palisade developers <packaging@palisade.invalid>}
	rm -rf "$work"
	mkdir -p "$root/DEBIAN"
	install -Dm 0755 "$PKG/linux/palisade" "$root/usr/bin/palisade"
	install -Dm 0755 "$PKG/linux/palisade-admin" "$root/usr/bin/palisade-admin"
	install -Dm 0644 "$PKG/tar/palisade/usr/local/share/applications/$APPID.desktop" \
		"$root/usr/share/applications/$APPID.desktop"
	install -Dm 0644 "$METAINFO" "$root/usr/share/metainfo/$APPID.metainfo.xml"
	install -Dm 0644 "$ICON" "$root/usr/share/icons/hicolor/512x512/apps/$APPID.png"
	for s in 256 128 64 48 32; do
		mkdir -p "$root/usr/share/icons/hicolor/${s}x$s/apps"
		convert "$ICON" -resize "${s}x$s" -strip "$root/usr/share/icons/hicolor/${s}x$s/apps/$APPID.png"
	done
	local doc=$root/usr/share/doc/palisade
	install -Dm 0644 README.md "$doc/README.md"
	{
		echo "palisade ($DEB_VERSION) stable; urgency=medium"
		echo
		echo "  * Palisade $VERSION, build $BUILD."
		echo
		echo " -- $maint  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
	} | gzip -9n >"$doc/changelog.Debian.gz"
	chmod 0644 "$doc/changelog.Debian.gz"
	install -m 0644 docs/deployment.md docs/it-guide.md docs/headless.md "$doc/"
	install -Dm 0644 docs/examples/acme-profile.json "$doc/examples/acme-profile.json"
	# The system directory: IT puts keys/*.jwk, profile.json and
	# profile.json.jws here (docs/deployment.md). The package owns only the
	# empty keys directory and a README; it never ships a key or a profile.
	install -d -m 0755 "$root/etc/palisade/keys"
	install -m 0644 packaging/linux/etc-README "$root/etc/palisade/README"
	echo /etc/palisade/README >"$root/DEBIAN/conffiles"

	# Depends: what the binaries link, by dpkg-shlibdeps.
	printf 'Source: palisade\n\nPackage: palisade\nArchitecture: amd64\n' >"$work/debian/control"
	local depends
	# (Its warning that the binaries "should already be installed in their
	# package's directory" is about the system libraries they link: dropped.)
	depends=$(cd "$work" && LC_ALL=C.UTF-8 dpkg-shlibdeps -O -e debian/palisade/usr/bin/palisade \
		-e debian/palisade/usr/bin/palisade-admin 2>"$work/shlibdeps.log" | sed -n 's/^shlibs:Depends=//p')
	grep -v 'should already be installed in their package' "$work/shlibdeps.log" >&2 || true
	[ -n "$depends" ] || die "dpkg-shlibdeps found no dependencies"
	{
		echo "Package: palisade"
		echo "Version: $DEB_VERSION"
		echo "Architecture: amd64"
		echo "Maintainer: $maint"
		echo "Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)"
		echo "Depends: $depends"
		echo "Recommends: gnome-keyring | keepassxc | kwalletmanager, libgl1-mesa-dri"
		echo "Suggests: clamav-daemon, tor"
		echo "Section: net"
		echo "Priority: optional"
		[ -n "$WEBSITE" ] && echo "Homepage: $WEBSITE"
		echo "Description: $SUMMARY"
		sed 's/^/ /; s/^ $/ ./' packaging/linux/deb-description.txt
	} >"$root/DEBIAN/control"
	(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z |
		xargs -0 md5sum) >"$root/DEBIAN/md5sums"
	find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	mkdir -p "$DIST"
	dpkg-deb --root-owner-group -Zxz --build "$root" "$DEB" >/dev/null
	say "$(basename "$DEB"): $(du -h "$DEB" | cut -f1), Depends: $depends"
}

# win_resources NAME DESCRIPTION: icon, manifest and version information
# compiled to $PKG/windows/NAME-rsrc.o.
win_resources() {
	local name=$1 desc=$2 w=$PKG/windows fv
	fv="$VERSION.$BUILD"
	[ -s "$w/palisade.ico" ] || convert "$ICON" -define icon:auto-resize=256,128,64,48,32,16 "$w/palisade.ico"
	sed -e "s|@ID@|$APPID|; s|@FILEVERSION_DOTS@|$fv|g; s|@DESCRIPTION@|$desc|" \
		packaging/windows/palisade.exe.manifest >"$w/$name.exe.manifest"
	sed -e "s|@ICON@|palisade.ico|; s|@MANIFEST@|$name.exe.manifest|; s|@FILEVERSION_COMMAS@|${fv//./,}|g" \
		-e "s|@FILEVERSION_DOTS@|$fv|g; s|@DESCRIPTION@|$desc|; s|@EXE@|$name|g; s|@VERSION@|$VERSION|" \
		packaging/windows/palisade.rc.in >"$w/$name.rc"
	(cd "$w" && "$WIN_WINDRES" -O coff -o "$name-rsrc.o" "$name.rc")
}

build_windows_exes() {
	need "$WIN_CC" gcc-mingw-w64-x86-64-win32
	need "$WIN_WINDRES" binutils-mingw-w64-x86-64
	need convert imagemagick
	local w=$PKG/windows
	mkdir -p "$w"
	rm -f "$w"/*.exe
	win_resources palisade "$APPNAME"
	win_resources palisade-admin "$APPNAME IT administration"
	# External linking takes the resource object; -H windowsgui: the client
	# opens no console window (headless mode still works with redirected
	# standard input and output).
	local wenv=(env CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC="$WIN_CC")
	"${wenv[@]}" go build -trimpath -ldflags "$LDX -s -w -H windowsgui -linkmode external -extldflags $w/palisade-rsrc.o" \
		-o "$w/palisade-unsigned.exe" ./cmd/client
	"${wenv[@]}" go build -trimpath -ldflags "-s -w -linkmode external -extldflags $w/palisade-admin-rsrc.o" \
		-o "$w/palisade-admin-unsigned.exe" ./cmd/palisade-admin
}

# The signing certificate: IT's (PALISADE_SIGN_*), else a test certificate
# made now. Sets SIGN_ARGS.
signing_identity() {
	SIGN_ARGS=()
	if [ -n "${PALISADE_SIGN_PKCS12:-}" ]; then
		SIGN_ARGS=(-pkcs12 "$PALISADE_SIGN_PKCS12")
	elif [ -n "${PALISADE_SIGN_CERT:-}" ]; then
		[ -n "${PALISADE_SIGN_KEY:-}" ] || die "PALISADE_SIGN_CERT needs PALISADE_SIGN_KEY"
		SIGN_ARGS=(-certs "$PALISADE_SIGN_CERT" -key "$PALISADE_SIGN_KEY")
	else
		local t=$PKG/windows/testcert
		rm -rf "$t"
		mkdir -p "$t"
		chmod 700 "$t"
		openssl req -x509 -newkey rsa:3072 -nodes -sha256 -days 30 \
			-subj "/CN=Palisade TEST code signing (not for distribution)/O=Palisade CI" \
			-addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=codeSigning" \
			-addext "basicConstraints=critical,CA:FALSE" \
			-keyout "$t/key.pem" -out "$t/cert.pem" 2>/dev/null
		say "signing with a test certificate made now ($t/cert.pem, valid 30 days); IT signs with its own"
		SIGN_ARGS=(-certs "$t/cert.pem" -key "$t/key.pem")
	fi
	if [ -n "${PALISADE_SIGN_PASSWORD_FILE:-}" ]; then
		SIGN_ARGS+=(-readpass "$PALISADE_SIGN_PASSWORD_FILE")
	fi
	if [ -n "${PALISADE_SIGN_TIMESTAMP_URL:-}" ]; then
		SIGN_ARGS+=(-ts "$PALISADE_SIGN_TIMESTAMP_URL")
	fi
}

sign_windows_exes() {
	need osslsigncode osslsigncode
	local w=$PKG/windows
	signing_identity
	mkdir -p "$DIST"
	rm -f "$EXE" "$ADMIN_EXE"
	osslsigncode sign "${SIGN_ARGS[@]}" -h sha256 -n "$APPNAME" ${WEBSITE:+-i "$WEBSITE"} \
		-in "$w/palisade-unsigned.exe" -out "$EXE" >/dev/null
	osslsigncode sign "${SIGN_ARGS[@]}" -h sha256 -n "$APPNAME IT administration" ${WEBSITE:+-i "$WEBSITE"} \
		-in "$w/palisade-admin-unsigned.exe" -out "$ADMIN_EXE" >/dev/null
	say "$(basename "$EXE"): $(du -h "$EXE" | cut -f1); $(basename "$ADMIN_EXE"): $(du -h "$ADMIN_EXE" | cut -f1)"
}

do_build() {
	need appstreamcli appstream
	appstreamcli validate --no-net "$METAINFO" >/dev/null ||
		{ appstreamcli validate --no-net "$METAINFO" || true; die "$METAINFO does not validate"; }
	# Old artefacts of other versions would be mistaken for this build's.
	rm -f "$DIST"/palisade-*-linux-amd64.tar.xz "$DIST"/palisade_*_amd64.deb \
		"$DIST"/palisade-*-windows-amd64.exe "$DIST"/palisade-admin-*-windows-amd64.exe \
		"$DIST"/Palisade.tar.xz "$DIST"/SHA256SUMS
	say "Palisade $VERSION build $BUILD ($APPID)"
	timed linux-binaries build_linux_bins
	timed tarball build_tarball
	timed deb build_deb
	if [ "${SKIP_WINDOWS:-}" != 1 ]; then
		timed windows-build build_windows_exes
		timed windows-sign sign_windows_exes
	fi
	if [ "${SKIP_WINDOWS:-}" = 1 ]; then
		(cd "$DIST" && sha256sum -- *.tar.xz *.deb >SHA256SUMS)
	else
		(cd "$DIST" && sha256sum -- *.tar.xz *.deb *.exe >SHA256SUMS)
	fi
	say "in dist/:"
	ls -l "$DIST" >&2
}

# ======================================================================
# check
# ======================================================================

expect_version() { # expect_version BINARY
	local got want="palisade $VERSION (build $BUILD, linux/amd64)"
	got=$("$1" --version) || die "$1 --version failed"
	[ "$got" = "$want" ] || die "$1 --version printed '$got', want '$want'"
	say "$1 --version: $got"
}

check_tarball() {
	[ -s "$TARBALL" ] || die "$TARBALL missing: run scripts/package.sh build"
	local t p list
	t=$(mktemp -d "${TMPDIR:-/tmp}/palisade-tar.XXXXXX")
	at_exit "rm -rf '$t'"
	list=$(tar -tJf "$TARBALL")
	for p in palisade/Makefile palisade/INSTALL.txt palisade/usr/local/bin/palisade palisade/usr/local/bin/palisade-admin \
		"palisade/usr/local/share/applications/$APPID.desktop" "palisade/usr/local/share/pixmaps/$APPID.png" \
		"palisade/usr/local/share/metainfo/$APPID.metainfo.xml"; do
		grep -qxF "$p" <<<"$list" || die "the tarball lacks $p"
	done
	say "tarball holds: $(grep -v '/$' <<<"$list" | tr '\n' ' ')"
	tar -xJf "$TARBALL" -C "$t"
	make -s -C "$t/palisade" install DESTDIR="$t/root" PREFIX=/usr
	for p in usr/bin/palisade usr/bin/palisade-admin "usr/share/applications/$APPID.desktop" \
		"usr/share/icons/hicolor/512x512/apps/$APPID.png" "usr/share/metainfo/$APPID.metainfo.xml"; do
		[ -e "$t/root/$p" ] || die "the tarball's make install did not install /$p"
	done
	say "tarball: make install DESTDIR=... PREFIX=/usr installed the binaries, .desktop entry, icon and metainfo"
	expect_version "$t/root/usr/bin/palisade"
	LC_ALL=C.UTF-8 appstreamcli validate --no-net "$t/root/usr/share/metainfo/$APPID.metainfo.xml" >&2 ||
		die "appstreamcli validate refused the metainfo"
	local rel
	rel=$(grep -o '<release version="[^"]*"' "$t/root/usr/share/metainfo/$APPID.metainfo.xml" | head -1 | cut -d'"' -f2)
	[ "$rel" = "$VERSION" ] || die "the metainfo's newest release is '$rel', FyneApp.toml says '$VERSION': add a <release>"
	if command -v desktop-file-validate >/dev/null; then
		desktop-file-validate "$t/root/usr/share/applications/$APPID.desktop" || die "desktop-file-validate refused the .desktop entry"
		say "desktop-file-validate: the .desktop entry is valid"
	else
		say "desktop-file-validate not installed (desktop-file-utils): .desktop entry not validated"
	fi
}

# A profile signed by a key made with the installed palisade-admin, and the
# installed client's verdict on two addresses under it.
check_policy() { # check_policy BINDIR
	local bin=$1 t out
	t=$(mktemp -d "${TMPDIR:-/tmp}/palisade-policy.XXXXXX")
	at_exit "rm -rf '$t'"
	"$bin/palisade-admin" keygen --out "$t/keys" --name test-it >/dev/null
	cp docs/examples/acme-profile.json "$t/profile.json"
	"$bin/palisade-admin" sign --key "$t/keys/test-it.private.jwk" "$t/profile.json" >/dev/null
	out=$(PALISADE_SYSTEM_DIR=$t/none "$bin/palisade" policy explain --profile "$t/profile.json" \
		--keys "$t/keys" carol@partner.test payroll@acme-corp.test)
	grep -q '"class": *"partner"' <<<"$out" || die "policy explain did not find carol a partner: $out"
	grep -q '"class": *"lookalike"' <<<"$out" || die "policy explain did not flag the lookalike: $out"
	say "installed palisade-admin signed a profile; installed palisade policy explain: carol@partner.test partner, payroll@acme-corp.test lookalike"
}

# purge_if_installed: remove the package check_deb installed, if a failure
# stopped it before its own purge.
purge_if_installed() {
	if [ "$(dpkg-query -W -f='${db:Status-Status}' palisade 2>/dev/null || true)" = installed ]; then
		dpkg --purge palisade >/dev/null 2>&1 && say "purged the palisade package"
	fi
}

check_deb() {
	[ -s "$DEB" ] || die "$DEB missing: run scripts/package.sh build"
	local contents p info bindir installed_here=0 t
	info=$(dpkg-deb --info "$DEB")
	say "dpkg-deb --info: $(grep -E '^ (Package|Version|Depends|Installed-Size):' <<<"$info" | tr -s ' ' | tr '\n' ';')"
	contents=$(dpkg-deb --contents "$DEB" | awk '{print $6}')
	for p in ./usr/bin/palisade ./usr/bin/palisade-admin "./usr/share/applications/$APPID.desktop" \
		"./usr/share/icons/hicolor/512x512/apps/$APPID.png" "./usr/share/icons/hicolor/48x48/apps/$APPID.png" \
		"./usr/share/metainfo/$APPID.metainfo.xml" ./usr/share/doc/palisade/deployment.md \
		./etc/palisade/keys/ ./etc/palisade/README; do
		grep -qxF "$p" <<<"$contents" || die "the .deb lacks $p"
	done
	if grep -E '\.private\.jwk$|/etc/palisade/profile\.json' <<<"$contents"; then
		die "the .deb must not ship a private key or a profile"
	fi
	say ".deb holds the binaries, .desktop entry, icons, metainfo, docs and /etc/palisade/keys/"

	if [ "$(id -u)" -eq 0 ] && command -v dpkg >/dev/null &&
		[ "$(dpkg-query -W -f='${db:Status-Status}' palisade 2>/dev/null || true)" != installed ]; then
		say "installing with dpkg -i (root; the package is purged again at the end)"
		at_exit purge_if_installed
		dpkg -i "$DEB" >&2 || die "dpkg -i failed"
		installed_here=1
		bindir=/usr/bin
		[ "$(command -v palisade)" = /usr/bin/palisade ] || die "palisade is not /usr/bin/palisade on PATH"
		dpkg-query -W -f='${Package} ${Version} ${db:Status-Status}\n' palisade >&2
		[ -d /etc/palisade/keys ] || die "/etc/palisade/keys was not created"
	else
		t=$(mktemp -d "${TMPDIR:-/tmp}/palisade-deb.XXXXXX")
		at_exit "rm -rf '$t'"
		if [ "$(id -u)" -ne 0 ]; then
			say "not root: extracting with dpkg-deb -x into $t instead of installing"
		else
			say "a palisade package is already installed here: extracting with dpkg-deb -x into $t instead of replacing it"
		fi
		dpkg-deb -x "$DEB" "$t"
		bindir=$t/usr/bin
	fi
	expect_version "$bindir/palisade"
	check_policy "$bindir"
	if [ "${SKIP_GUI_CHECK:-}" = 1 ]; then
		say "SKIP_GUI_CHECK=1: the installed client was not started under Xvfb"
	else
		say "starting the installed $bindir/palisade under Xvfb, signed in to a private Prosody (scripts/smoke-gui.sh)"
		PALISADE_BIN=$bindir/palisade "$ROOT/scripts/smoke-gui.sh" "$ROOT/build/package-screenshot.png" ||
			die "the installed client did not start and sign in"
	fi
	if [ $installed_here = 1 ]; then
		dpkg --purge palisade >/dev/null
		[ ! -e /usr/bin/palisade ] || die "dpkg --purge left /usr/bin/palisade"
		say "dpkg --purge removed the package cleanly"
	fi
}

check_exe() { # check_exe FILE SUBSYSTEM
	local f=$1 want=$2 out ca dlls
	[ -s "$f" ] || die "$f missing: run scripts/package.sh build"
	out=$(file -b "$f")
	grep -q "PE32+ executable ($want) x86-64" <<<"$out" || die "$(basename "$f") is '$out', want a PE32+ $want x86-64 executable"
	ca=${PALISADE_SIGN_CAFILE:-$PKG/windows/testcert/cert.pem}
	if [ -z "${PALISADE_SIGN_CAFILE:-}" ] && [ -n "${PALISADE_SIGN_CERT:-}${PALISADE_SIGN_PKCS12:-}" ]; then
		ca=""
	fi
	out=$(osslsigncode verify ${ca:+-CAfile "$ca"} -in "$f" 2>&1) || {
		echo "$out" >&2
		die "osslsigncode verify failed on $(basename "$f")"
	}
	grep -q 'Signature verification: ok' <<<"$out" || { echo "$out" >&2; die "no valid signature on $(basename "$f")"; }
	say "osslsigncode verify $(basename "$f"): $(grep -m1 -E 'Subject:' <<<"$out" | sed 's/^[[:space:]]*//'); Signature verification: ok"
	dlls=$("$WIN_OBJDUMP" -p "$f" | awk '/DLL Name:/ {print $3}' | sort -u | tr '\n' ' ')
	if grep -qiE 'libgcc|libwinpthread|libstdc' <<<"$dlls"; then
		die "$(basename "$f") needs MinGW DLLs that Windows lacks: $dlls"
	fi
	say "$(basename "$f") imports only: $dlls"
	strings -el "$f" | grep -qxF "$VERSION.$BUILD" || die "$(basename "$f") has no version information $VERSION.$BUILD"
	grep -qF "name=\"$APPID\"" "$f" || die "$(basename "$f") has no manifest"
}

check_windows() {
	check_exe "$EXE" GUI
	check_exe "$ADMIN_EXE" console
}

do_check() {
	need appstreamcli appstream
	timed check-tarball check_tarball
	timed check-deb check_deb
	if [ "${SKIP_WINDOWS:-}" != 1 ]; then
		need osslsigncode osslsigncode
		need "$WIN_OBJDUMP" binutils-mingw-w64-x86-64
		timed check-windows check_windows
	fi
	(cd "$DIST" && sha256sum --quiet -c SHA256SUMS) || die "dist/SHA256SUMS does not match"
	say "all packages checked"
}

rm -f "$TIMES"
case $mode in
build) do_build ;;
check) do_check ;;
all)
	do_build
	do_check
	;;
esac
