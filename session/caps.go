package session

import (
	"crypto/sha1"
	"encoding/base64"
	"sort"
	"strings"
)

// Entity capabilities (XEP-0115): presence carries a hash of what the
// client supports, so that the server's PEP service knows which
// notifications the client wants (a feature "NODE+notify"). Palisade asks
// for notifications of peers' device certificates (identity.go).

const (
	nsCaps   = "http://jabber.org/protocol/caps"
	capsNode = "https://palisade-im.github.io/caps"
)

// discoFeatures are the features answered to disco#info queries.
func discoFeatures() []string {
	return []string{nsDiscoInfo, nsReceipts, nsChatStates, nsCarbons, nsPing, nsOOB, nsDevices + "+notify"}
}

// capsVer is the XEP-0115 verification string of the client's identity
// (client/pc, "Palisade") and features.
func capsVer() string {
	f := append([]string(nil), discoFeatures()...)
	sort.Strings(f)
	var b strings.Builder
	b.WriteString("client/pc//Palisade<")
	for _, v := range f {
		b.WriteString(v)
		b.WriteString("<")
	}
	sum := sha1.Sum([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// capsElement is the <c/> element for presence.
func capsElement() *el {
	return elem(nsCaps, "c", "hash", "sha-1", "node", capsNode, "ver", capsVer())
}
