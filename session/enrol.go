package session

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"mellium.im/xmpp/jid"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/internal/atomicfile"
	"github.com/palisade-im/palisade/l10n"
)

// Enrolment: this device's certificate from IT's identity CA (see
// docs/identity.md).
//
// The device key (Config.DeviceKey) lives in the OS keyring; everything
// public about the device is kept in DataDir/device.json (DeviceFile):
// its id and public key, the certificate chain once issued, the state and
// the id of a pending request. The private key is never written there.
//
// A request goes to the IT JID of the profile (it.jid) as a normal message,
// so that the server keeps it offline while IT is away:
//
//	<message type="normal" to="IT">
//	  <enrol xmlns="urn:palisade:enrol:1" id="REQID"><csr>PEM</csr></enrol>
//	  <body>Certificate request from JID (device D)</body>
//	</message>
//
// IT answers with <enrolled id="REQID"><cert>PEM chain</cert></enrolled> or
// <rejected id="REQID"><reason>text</reason></rejected> in the same
// namespace. An answer counts only from the IT JID (bare) of the profile,
// for the pending request id, with a certificate for this device's key and
// this account's JID that verifies under the profile's identity CAs;
// anything else is ignored and recorded in the audit log.
//
// The enrolled device publishes its chain on the PEP node
// urn:palisade:devices:1 (item id = device id, access model open) at each
// sign-in when the published item differs, and retracts the item of a
// device whose key was lost.

const nsEnrol = "urn:palisade:enrol:1"

// DeviceFileName is the device file in the data directory.
const DeviceFileName = "device.json"

// renewBefore: a certificate that expires sooner than this (or than a
// fifth of its lifetime, when that is shorter) counts as expired for
// enrolment: enrol again.
const renewBefore = 14 * 24 * time.Hour

func renewWindow(notBefore, notAfter time.Time) time.Duration {
	if w := notAfter.Sub(notBefore) / 5; w < renewBefore {
		return w
	}
	return renewBefore
}

// DeviceFile is the public state of this device (DataDir/device.json). It
// never holds the private key.
type DeviceFile struct {
	JID       string `json:"jid"`
	DeviceID  string `json:"device_id"`
	PublicKey []byte `json:"public_key"` // Ed25519, 32 bytes (base64 in JSON)
	State     string `json:"state"`      // one of the event.Enrol* constants
	Reason    string `json:"reason,omitempty"`
	// Chain is the device certificate and its intermediates, PEM.
	Chain string `json:"chain,omitempty"`
	// RequestID is the pending request sent over XMPP ("" for an
	// exported request).
	RequestID   string    `json:"request_id,omitempty"`
	RequestedAt time.Time `json:"requested_at,omitzero"`
	// LostDevice is the device whose key vanished from the keyring: its
	// published item is retracted at the next sign-in.
	LostDevice string `json:"lost_device,omitempty"`
}

// LoadDevice reads dataDir/device.json; a missing file is (nil, nil).
func LoadDevice(dataDir string) (*DeviceFile, error) {
	data, err := os.ReadFile(filepath.Join(dataDir, DeviceFileName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var d DeviceFile
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("%s is damaged: %v", filepath.Join(dataDir, DeviceFileName), err)
	}
	return &d, nil
}

// SaveDevice writes dataDir/device.json atomically (0600).
func SaveDevice(dataDir string, d *DeviceFile) error {
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dataDir, DeviceFileName), append(data, '\n'))
}

// enrolState is the session's share of enrolment. Its mutex is taken after
// s.mu when both are held.
type enrolState struct {
	mu  sync.Mutex
	dev *DeviceFile // nil: no device key
}

// Wire forms.

type enrolXML struct {
	ID  string `xml:"id,attr"`
	CSR string `xml:"csr"`
}

type enrolledXML struct {
	ID   string `xml:"id,attr"`
	Cert string `xml:"cert"`
}

type rejectedXML struct {
	ID     string `xml:"id,attr"`
	Reason string `xml:"reason"`
}

// enrolStart sets up the device state from the key and the device file and
// reports it.
func (s *Session) enrolStart() {
	k := s.ownKey()
	if k == nil {
		if s.cfg.DeviceOff != nil {
			s.emit(event.Enrolment{State: event.EnrolNoKey, Reason: s.cfg.DeviceOff.Message, ITJID: s.itJID()})
		}
		return
	}
	pub := k.Public().(ed25519.PublicKey)
	id := identity.DeviceID(pub)
	var d *DeviceFile
	if s.cfg.DataDir != "" {
		var err error
		if d, err = LoadDevice(s.cfg.DataDir); err != nil {
			s.emit(event.Error{Message: s.lang.T("The device file could not be read, so it is started afresh (your device key is unchanged): {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
			d = nil
		}
	}
	if d == nil || d.DeviceID != id || !strings.EqualFold(d.JID, s.bare.String()) {
		nd := &DeviceFile{JID: s.bare.String(), DeviceID: id, PublicKey: pub, State: event.EnrolNone}
		if d != nil && strings.EqualFold(d.JID, s.bare.String()) && d.DeviceID != "" && d.DeviceID != id {
			nd.LostDevice = d.DeviceID
			if s.cfg.DeviceLost {
				nd.State = event.EnrolLostKey
			}
		}
		d = nd
	}
	if s.cfg.DeviceLost {
		d.State = event.EnrolLostKey
		d.Reason = s.lang.T("Your device key is no longer in the keyring; this device needs a new certificate. Your previous identity cannot be recovered.")
	}
	s.enr.mu.Lock()
	s.enr.dev = d
	s.checkOwnChain(time.Now())
	s.saveDeviceLocked()
	ev := s.enrolmentLocked()
	s.enr.mu.Unlock()
	if d.State == event.EnrolLostKey {
		s.audit("device_key_lost", map[string]any{"device": d.DeviceID, "lost_device": d.LostDevice})
	}
	s.emit(ev)
}

// checkOwnChain re-decides the stored certificate: enrolled, expired (or
// expiring soon), or no longer good (back to none). enr.mu is held.
func (s *Session) checkOwnChain(now time.Time) {
	d := s.enr.dev
	if d == nil || d.Chain == "" {
		return
	}
	r, err := s.verifyOwn([]byte(d.Chain), now)
	switch {
	case err != nil:
		d.Chain, d.State, d.Reason = "", event.EnrolNone, s.lang.T("The stored certificate is no longer valid: {{.Err}}", l10n.Args{"Err": enrolErrText(s.lang, err)})
	case r.Status == event.IdentityExpired || now.Add(renewWindow(r.NotBefore, r.NotAfter)).After(r.NotAfter):
		d.State, d.Reason = event.EnrolExpired, r.Reason
		if r.Status != event.IdentityExpired {
			d.Reason = s.lang.T("The device certificate expires on {{.Date}}: request a new one.", l10n.Args{"Date": identity.FormatDate(s.lang, r.NotAfter)})
		}
	default:
		if d.State != event.EnrolLostKey {
			d.State, d.Reason = event.EnrolEnrolled, ""
		}
	}
}

// verifyOwn checks a certificate chain for this device: its key must be
// the device key, it must name this account, and it must verify under the
// profile's identity CAs (an expired certificate is returned with its
// Result, not as an error).
func (s *Session) verifyOwn(chainPEM []byte, now time.Time) (identity.Result, error) {
	chain, err := identity.ChainDER(chainPEM)
	if err != nil {
		return identity.Result{}, err
	}
	leaf, err := x509.ParseCertificate(chain[0])
	if err != nil {
		return identity.Result{}, errors.New(s.lang.T("the certificate cannot be read: {{.Err}}", l10n.Args{"Err": err.Error()}))
	}
	k := s.ownKey()
	if pub, ok := leaf.PublicKey.(ed25519.PublicKey); !ok || k == nil || !pub.Equal(k.Public()) {
		return identity.Result{}, errors.New(s.lang.T("the certificate is for another key than this device's"))
	}
	v, err := s.ownVerifier()
	if err != nil {
		return identity.Result{}, err
	}
	r := v.Verify(chain, s.bare.String(), now)
	switch r.Status {
	case event.IdentityVerified, event.IdentityExpired:
		return r, nil
	}
	return r, errors.New(strings.TrimSuffix(r.Reason, "."))
}

// ownVerifier is the profile's verifier (none trusted without a profile),
// writing its reasons in the user's language.
func (s *Session) ownVerifier() (*identity.Verifier, error) {
	if s.cfg.Profiles != nil {
		if p := s.cfg.Profiles.Active(); p != nil {
			v, err := p.IdentityVerifier()
			if err != nil {
				return nil, err
			}
			return v.In(s.lang), nil
		}
	}
	return (*identity.Verifier)(nil).In(s.lang), nil
}

// itJID is the bare JID of IT from the profile in force, or "".
func (s *Session) itJID() string {
	if s.cfg.Profiles == nil {
		return ""
	}
	p := s.cfg.Profiles.Active()
	if p == nil || p.IT.JID == "" {
		return ""
	}
	j, err := jid.Parse(p.IT.JID)
	if err != nil {
		return ""
	}
	return j.Bare().String()
}

// enrolmentLocked is the Enrolment event for the current state. enr.mu is held.
func (s *Session) enrolmentLocked() event.Enrolment {
	d := s.enr.dev
	if d == nil {
		ev := event.Enrolment{State: event.EnrolNoKey, ITJID: s.itJID(), Reason: s.lang.T("This device has no identity key.")}
		if s.cfg.DeviceOff != nil {
			ev.Reason = s.cfg.DeviceOff.Message
		}
		return ev
	}
	ev := event.Enrolment{State: d.State, DeviceID: d.DeviceID, ITJID: s.itJID(), Reason: d.Reason}
	if d.Chain != "" {
		if certs, err := identity.ParseCertificates([]byte(d.Chain)); err == nil {
			ev.Subject, ev.Issuer, ev.NotAfter = certs[0].Subject.String(), certs[0].Issuer.String(), certs[0].NotAfter.UTC()
		}
	}
	return ev
}

// saveDeviceLocked writes the device file; a failure is reported. enr.mu is held.
func (s *Session) saveDeviceLocked() {
	if s.cfg.DataDir == "" || s.enr.dev == nil {
		return
	}
	if err := SaveDevice(s.cfg.DataDir, s.enr.dev); err != nil {
		s.queue(event.Error{Message: s.lang.T("The device file could not be saved: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
	}
}

// newRequest makes a certificate request for this device.
func (s *Session) newRequest() ([]byte, error) {
	k := s.ownKey()
	if k == nil {
		return nil, errors.New(s.lang.T("this device has no identity key"))
	}
	return identity.CreateRequest(k, identity.Request{JID: s.bare.String(), DeviceID: identity.DeviceID(k.Public().(ed25519.PublicKey))})
}

// enrolMessage is the request message to IT.
func enrolMessage(to, reqID, account, device string, csr []byte) *el {
	return elem(nsClient, "message", "type", "normal", "to", to, "id", randomID()).add(
		elem(nsEnrol, "enrol", "id", reqID).add(child("csr", string(csr))),
		child("body", "Certificate request from "+account+" (device "+device+")"),
	)
}

// sendRequest sends a new request to IT now. s.mu is held; it takes enr.mu.
func (s *Session) sendRequest(c *conn) (event.Enrolment, error) {
	it := s.itJID()
	if it == "" {
		return event.Enrolment{}, errors.New(s.lang.T("the profile names no IT address (it.jid) to send the request to: export the request and give it to IT"))
	}
	csr, err := s.newRequest()
	if err != nil {
		return event.Enrolment{}, err
	}
	s.enr.mu.Lock()
	defer s.enr.mu.Unlock()
	d := s.enr.dev
	reqID := randomID()
	if err := s.write(c, &outStanza{el: enrolMessage(it, reqID, s.bare.String(), d.DeviceID, csr)}); err != nil {
		return event.Enrolment{}, errors.New(s.lang.T("the request could not be sent: {{.Err}}", l10n.Args{"Err": err.Error()}))
	}
	d.RequestID, d.RequestedAt = reqID, time.Now().UTC()
	d.State, d.Reason = event.EnrolPending, s.lang.T("Waiting for IT ({{.IT}}) to approve the request.", l10n.Args{"IT": it})
	s.saveDeviceLocked()
	s.audit("enrol_request", map[string]any{"device": d.DeviceID, "it": it, "request": reqID})
	return s.enrolmentLocked(), nil
}

// enrolSignedIn runs at each new stream: it retracts a lost device's item,
// publishes the certificate when enrolled, and sends a new request after a
// lost key. s.mu is held.
func (s *Session) enrolSignedIn(c *conn) error {
	s.enr.mu.Lock()
	d := s.enr.dev
	if d == nil {
		s.enr.mu.Unlock()
		return nil
	}
	lost, state, id, chain := d.LostDevice, d.State, d.DeviceID, d.Chain
	s.enr.mu.Unlock()
	if lost != "" {
		s.retractDevice(c, lost)
	}
	if chain != "" && (state == event.EnrolEnrolled || state == event.EnrolExpired) {
		s.publishIfDifferent(c, id, chain)
	}
	if state == event.EnrolLostKey && s.itJID() != "" {
		ev, err := s.sendRequest(c)
		if err != nil {
			s.queue(event.Error{Message: s.lang.T("Re-enrolment could not start: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
			return nil
		}
		ev.Reason = s.lang.T("Your device key is no longer in the keyring; this device needs a new certificate. Your previous identity cannot be recovered. A new request was sent to IT.")
		s.queue(ev)
	}
	return nil
}

// retractDevice removes a lost device's item from the PEP node. s.mu is held.
func (s *Session) retractDevice(c *conn, device string) {
	req := iq("set", randomID(), "", elem(nsPubSub, "pubsub").add(
		elem("", "retract", "node", nsDevices, "notify", "true").add(elem("", "item", "id", device))))
	s.sendIQ(c, req, func(st *inStanza) {
		if st.Type == "error" && st.Error != nil && !strings.Contains(st.Error.String(), "item-not-found") {
			s.emit(event.Error{Message: s.lang.T("The certificate of the lost device {{.Device}} could not be withdrawn: {{.Err}}", l10n.Args{"Device": device, "Err": st.Error.String()}), Code: event.CodeProtocol})
			return
		}
		s.audit("device_retracted", map[string]any{"device": device})
		s.enr.mu.Lock()
		if s.enr.dev != nil && s.enr.dev.LostDevice == device {
			s.enr.dev.LostDevice = ""
			s.saveDeviceLocked()
		}
		s.enr.mu.Unlock()
	})
}

// publishIfDifferent fetches this device's item and publishes the chain
// when the item is missing or differs. s.mu is held.
func (s *Session) publishIfDifferent(c *conn, device, chainPEM string) {
	chain, err := identity.ChainDER([]byte(chainPEM))
	if err != nil {
		return
	}
	get := iq("get", randomID(), "", elem(nsPubSub, "pubsub").add(
		elem("", "items", "node", nsDevices).add(elem("", "item", "id", device))))
	s.sendIQ(c, get, func(st *inStanza) {
		if st.Type == "result" && st.PubSub != nil && st.PubSub.Items != nil {
			for _, it := range st.PubSub.Items.Items {
				if it.ID != device || it.Device == nil {
					continue
				}
				if got, err := it.Device.chain(); err == nil && sameChain(got, chain) {
					return // already published
				}
			}
		}
		s.mu.Lock()
		if s.cur != nil {
			s.publishDevice(s.cur, device, chain, 0)
		}
		s.mu.Unlock()
	})
}

func sameChain(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if string(a[i]) != string(b[i]) {
			return false
		}
	}
	return true
}

// devicePublishOptions asks for an open node, with room for many devices
// when withMax (Prosody keeps one item per PEP node by default; ejabberd
// refuses max_items among publish options and keeps many anyway).
func devicePublishOptions(withMax bool) *el {
	field := func(v, val string) *el {
		return elem("", "field", "var", v).add(child("value", val))
	}
	x := elem(nsDataForm, "x", "type", "submit").add(
		elem("", "field", "var", "FORM_TYPE", "type", "hidden").add(child("value", "http://jabber.org/protocol/pubsub#publish-options")),
		field("pubsub#access_model", "open"),
	)
	if withMax {
		x.add(field("pubsub#max_items", "max"))
	}
	return elem("", "publish-options").add(x)
}

// publishDevice publishes the chain on the PEP node (access model open).
// Attempt 0 also asks for many items; a server that refuses that is asked
// again without (attempt 1); a node that exists with another
// configuration (precondition-not-met) is reconfigured and the item
// published once more (attempt 2). s.mu is held.
func (s *Session) publishDevice(c *conn, device string, chain [][]byte, attempt int) {
	pub := elem(nsPubSub, "pubsub").add(
		elem("", "publish", "node", nsDevices).add(elem("", "item", "id", device).add(deviceElement(device, chain))))
	if attempt < 2 {
		pub.add(devicePublishOptions(attempt == 0))
	}
	s.sendIQ(c, iq("set", randomID(), "", pub), func(st *inStanza) {
		if st.Type != "error" {
			s.audit("device_published", map[string]any{"device": device})
			return
		}
		cond := ""
		if st.Error != nil {
			cond = st.Error.String()
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		switch {
		case s.cur == nil:
		case attempt == 0 && !strings.Contains(cond, "precondition-not-met"):
			s.publishDevice(s.cur, device, chain, 1)
		case attempt < 2 && strings.Contains(cond, "precondition-not-met"):
			s.configureDevicesNode(s.cur, func() { s.publishDevice(s.cur, device, chain, 2) })
		default:
			s.queue(event.Error{Message: s.lang.T("This device's certificate could not be published for your contacts: {{.Err}}", l10n.Args{"Err": cond}), Code: event.CodeProtocol})
		}
	})
}

// configureDevicesNode sets the PEP node open with room for many devices,
// then runs next with s.mu held. s.mu is held.
func (s *Session) configureDevicesNode(c *conn, next func()) {
	field := func(v, val string) *el {
		return elem("", "field", "var", v).add(child("value", val))
	}
	form := elem(nsDataForm, "x", "type", "submit").add(
		elem("", "field", "var", "FORM_TYPE", "type", "hidden").add(child("value", nsNodeConfig)),
		field("pubsub#access_model", "open"),
		field("pubsub#max_items", "32"),
	)
	req := iq("set", randomID(), "", elem(nsPubSub+"#owner", "pubsub").add(
		elem("", "configure", "node", nsDevices).add(form)))
	s.sendIQ(c, req, func(st *inStanza) {
		if st.Type == "error" {
			s.emit(event.Error{Message: s.lang.T("The device certificate node could not be opened to contacts: {{.Err}}", l10n.Args{"Err": st.Error.String()}), Code: event.CodeProtocol})
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.cur != nil {
			next()
		}
	})
}

// onEnrolMessage takes IT's answer to a request. It reports whether the
// message was an enrolment message (handled or ignored).
func (s *Session) onEnrolMessage(c *conn, st *inStanza) bool {
	if st.Enrol != nil && st.Type == "error" {
		s.emit(event.Error{Message: s.lang.T("The certificate request could not be delivered to IT: {{.Err}}", l10n.Args{"Err": st.Error.String()}), Code: event.CodeProtocol})
		return true
	}
	// A request (to an IT person who uses Palisade) is an ordinary message:
	// its body says who asks; IT's tool handles the request itself.
	if st.Enrolled == nil && st.Rejected == nil {
		return false
	}
	if st.Type == "error" {
		return true
	}
	ignore := func(why string) bool {
		s.audit("enrol_ignored", map[string]any{"from": st.From, "reason": why})
		return true
	}
	it := s.itJID()
	from, err := jid.Parse(st.From)
	if err != nil || it == "" || !sameJID(from.Bare().String(), it) {
		return ignore("not from the IT address of the profile")
	}
	s.enr.mu.Lock()
	d := s.enr.dev
	pending := ""
	if d != nil && d.State != event.EnrolEnrolled {
		pending = d.RequestID
	}
	s.enr.mu.Unlock()
	id := ""
	if st.Enrolled != nil {
		id = st.Enrolled.ID
	} else {
		id = st.Rejected.ID
	}
	if pending == "" || id != pending {
		return ignore("not an answer to this device's pending request")
	}
	if st.Rejected != nil {
		reason := strings.TrimSpace(st.Rejected.Reason)
		if reason == "" {
			reason = s.lang.T("IT declined the certificate request.")
		} else {
			reason = s.lang.T("IT declined the certificate request: {{.Reason}}", l10n.Args{"Reason": reason})
		}
		s.enr.mu.Lock()
		d.State, d.Reason, d.RequestID = event.EnrolRejected, reason, ""
		s.saveDeviceLocked()
		ev := s.enrolmentLocked()
		s.enr.mu.Unlock()
		s.audit("enrol_rejected", map[string]any{"device": d.DeviceID, "request": id})
		s.emit(ev)
		return true
	}
	if err := s.install([]byte(st.Enrolled.Cert), "xmpp"); err != nil {
		return ignore(err.Error())
	}
	return true
}

// install checks and keeps a certificate chain for this device, publishes
// it when online and reports the new state.
func (s *Session) install(chainPEM []byte, source string) error {
	now := time.Now()
	r, err := s.verifyOwn(chainPEM, now)
	if err != nil {
		return err
	}
	if r.Status != event.IdentityVerified {
		return errors.New(strings.TrimSuffix(r.Reason, "."))
	}
	chain, _ := identity.ChainDER(chainPEM)
	s.enr.mu.Lock()
	d := s.enr.dev
	d.Chain = string(identity.EncodeChain(chain))
	d.State, d.Reason, d.RequestID = event.EnrolEnrolled, "", ""
	s.checkOwnChain(now)
	s.saveDeviceLocked()
	ev := s.enrolmentLocked()
	id := d.DeviceID
	s.enr.mu.Unlock()
	s.audit("enrolled", map[string]any{"device": id, "subject": r.Subject, "issuer": r.Issuer, "serial": r.Serial, "source": source})
	s.emit(ev)
	s.mu.Lock()
	if s.cur != nil {
		s.publishDevice(s.cur, id, chain, 0)
	}
	s.mu.Unlock()
	return nil
}

// executeEnrol carries out the enrolment commands; false for any other.
func (s *Session) executeEnrol(cmd event.Command) bool {
	switch c := cmd.(type) {
	case *event.GetEnrolment:
		s.executeEnrol(*c)
	case *event.Enrol:
		s.executeEnrol(*c)
	case *event.ExportRequest:
		s.executeEnrol(*c)
	case *event.ImportCertificate:
		s.executeEnrol(*c)
	case event.GetEnrolment:
		s.enr.mu.Lock()
		ev := s.enrolmentLocked()
		s.enr.mu.Unlock()
		s.emit(ev)
	case event.Enrol:
		if s.noDevice(c) {
			return true
		}
		s.mu.Lock()
		cur := s.cur
		var ev event.Enrolment
		var err error
		if cur != nil {
			ev, err = s.sendRequest(cur)
		}
		s.mu.Unlock()
		switch {
		case cur == nil:
			s.offline(c)
		case err != nil:
			s.emit(event.Error{Message: s.lang.T("The certificate request was not sent: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig, Command: c.CommandName()})
		default:
			s.emit(ev)
		}
	case event.ExportRequest:
		if s.noDevice(c) {
			return true
		}
		if strings.TrimSpace(c.Path) == "" {
			s.badCommand(c, s.lang.T("Name the file to write the certificate request to."))
			return true
		}
		csr, err := s.newRequest()
		if err == nil {
			err = os.WriteFile(c.Path, csr, 0o644)
		}
		if err != nil {
			s.emit(event.Error{Message: s.lang.T("The certificate request could not be written: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig, Command: c.CommandName()})
			return true
		}
		s.enr.mu.Lock()
		d := s.enr.dev
		d.State, d.RequestID, d.RequestedAt = event.EnrolPending, "", time.Now().UTC()
		d.Reason = s.lang.T("The certificate request was written to {{.Path}}: give it to IT and import the certificate they return.", l10n.Args{"Path": c.Path})
		s.saveDeviceLocked()
		ev := s.enrolmentLocked()
		s.enr.mu.Unlock()
		s.audit("enrol_request", map[string]any{"device": d.DeviceID, "file": c.Path})
		s.emit(ev)
	case event.ImportCertificate:
		if s.noDevice(c) {
			return true
		}
		data, err := os.ReadFile(c.Path)
		if err == nil && len(data) > 1<<20 {
			err = errors.New(s.lang.T("the file is larger than 1 MiB"))
		}
		if err == nil {
			err = s.install(data, "file")
		}
		if err != nil {
			s.emit(event.Error{Message: s.lang.T("The certificate was not installed: {{.Err}}", l10n.Args{"Err": enrolErrText(s.lang, err)}), Code: event.CodeConfig, Command: c.CommandName()})
		}
	default:
		return false
	}
	return true
}

// noDevice refuses a command when there is no device key.
func (s *Session) noDevice(c event.Command) bool {
	s.enr.mu.Lock()
	none := s.enr.dev == nil
	s.enr.mu.Unlock()
	if !none {
		return false
	}
	msg := s.lang.T("This device has no identity key, so it cannot be certified.")
	code := event.CodeConfig
	if s.cfg.DeviceOff != nil {
		msg, code = s.cfg.DeviceOff.Message, s.cfg.DeviceOff.Code
	}
	s.emit(event.Error{Message: msg, Code: code, Command: c.CommandName()})
	return true
}

// enrolErrText is err's text in lang when it can be written in another
// language (identity.Error), else as it is.
func enrolErrText(lang l10n.Lang, err error) string {
	if e, ok := err.(interface{ In(l10n.Lang) string }); ok {
		return e.In(lang)
	}
	return err.Error()
}

// ownKey is the device key, or nil without an identity.
func (s *Session) ownKey() ed25519.PrivateKey {
	if len(s.cfg.DeviceKey) != ed25519.PrivateKeySize {
		return nil
	}
	return s.cfg.DeviceKey
}

// enrolProfileChanged re-decides this device's certificate under a newly
// applied profile (a revocation, other identity CAs, another IT address)
// and reports the state when it changed.
func (s *Session) enrolProfileChanged() {
	s.enr.mu.Lock()
	if s.enr.dev == nil {
		s.enr.mu.Unlock()
		return
	}
	before := s.enrolmentLocked()
	s.checkOwnChain(time.Now())
	after := s.enrolmentLocked()
	changed := after != before
	if changed {
		s.saveDeviceLocked()
	}
	s.enr.mu.Unlock()
	if changed {
		s.emit(after)
	}
}
