#!/bin/sh
# mkcerts.sh OUTDIR: create a local CA ("Palisade Test CA") and one server
# certificate valid for every test domain, its components, localhost and
# 127.0.0.1. Existing files are kept while they are valid for at least a day.
#
# Output, in OUTDIR:
#   ca.crt ca.key          the CA; trust ca.crt in clients
#   server.crt server.key  the server certificate (leaf + CA chain in server.crt)
#   <host>.crt <host>.key  copies named after each host, for prosody's lookup
set -eu

out=${1:?usage: mkcerts.sh OUTDIR}
mkdir -p "$out"
cd "$out"

# acme-corp.test imitates acme.test: the lookalike sender of the demo.
domains="acme.test partner.test evil.test acme-corp.test"

valid() {
	[ -s "$1" ] && openssl x509 -in "$1" -noout -checkend 86400 >/dev/null 2>&1
}

if ! valid ca.crt || [ ! -s ca.key ]; then
	rm -f server.crt server.key
	openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-keyout ca.key -out ca.crt -days 3650 -sha256 \
		-subj "/O=Palisade/CN=Palisade Test CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

covers_all() {
	for d in $domains; do
		openssl x509 -in server.crt -noout -checkhost "$d" 2>/dev/null | grep -q 'does match' || return 1
	done
}

if ! valid server.crt || [ ! -s server.key ] ||
	! openssl verify -CAfile ca.crt server.crt >/dev/null 2>&1 || ! covers_all; then
	san="DNS:localhost,IP:127.0.0.1"
	for d in $domains; do
		san="$san,DNS:$d,DNS:conference.$d,DNS:pubsub.$d,DNS:upload.$d"
	done
	openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-keyout server.key -out server.csr -subj "/O=Palisade/CN=acme.test" 2>/dev/null
	printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' "$san" >server.ext
	openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
		-out server.leaf -days 825 -sha256 -extfile server.ext 2>/dev/null
	cat server.leaf ca.crt >server.crt
	rm -f server.csr server.ext server.leaf ca.srl
	for d in localhost $domains; do
		for h in "$d" "conference.$d" "pubsub.$d" "upload.$d"; do
			[ "$d" = localhost ] && [ "$h" != localhost ] && continue
			cp server.crt "$h.crt"
			cp server.key "$h.key"
		done
	done
fi
chmod 644 ./*.crt
chmod 640 ./*.key
