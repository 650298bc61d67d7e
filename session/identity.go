package session

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
)

// Peers' identities (issue "explicit identities verified by certificate").
// Every device publishes its certificate chain on its account's PEP node
// nsDevices, one item per device:
//
//	<device xmlns="urn:palisade:devices:1" id="DEVICEID">
//	  <cert>BASE64 DER leaf</cert>
//	  <cert>BASE64 DER intermediate</cert>
//	</device>
//
// The session fetches the items of the peers it deals with, verifies each
// chain with the profile's identity verifier, and puts the verdict in
// event.Trust.

// nsDevices is the PEP node and payload namespace of device certificates.
const nsDevices = "urn:palisade:devices:1"

// Bounds on what a peer may publish: devices per account, certificates per
// chain, and the size of one certificate.
const (
	maxPeerDevices = 32
	maxChainCerts  = 8
	maxCertBytes   = 16 << 10
)

// deviceXML is the wire form of one published device.
type deviceXML struct {
	XMLName xml.Name `xml:"urn:palisade:devices:1 device"`
	ID      string   `xml:"id,attr"`
	Certs   []string `xml:"cert"`
}

// chain decodes the certificates (DER, leaf first).
func (d *deviceXML) chain() ([][]byte, error) {
	if d == nil {
		return nil, errors.New("no <device xmlns='" + nsDevices + "'/> payload")
	}
	if len(d.Certs) == 0 {
		return nil, errors.New("the device item holds no certificate")
	}
	if len(d.Certs) > maxChainCerts {
		return nil, fmt.Errorf("the device item holds %d certificates (at most %d)", len(d.Certs), maxChainCerts)
	}
	out := make([][]byte, 0, len(d.Certs))
	for i, c := range d.Certs {
		b64 := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, c)
		if base64.StdEncoding.DecodedLen(len(b64)) > maxCertBytes {
			return nil, fmt.Errorf("certificate %d of the device item is larger than %d bytes", i+1, maxCertBytes)
		}
		der, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(der) == 0 {
			return nil, fmt.Errorf("certificate %d of the device item is not valid base64", i+1)
		}
		out = append(out, der)
	}
	return out, nil
}

// deviceElement is the wire form of a device's certificate chain.
func deviceElement(id string, chainDER [][]byte) *el {
	d := elem(nsDevices, "device", "id", id)
	for _, der := range chainDER {
		d.add(child("cert", base64.StdEncoding.EncodeToString(der)))
	}
	return d
}
