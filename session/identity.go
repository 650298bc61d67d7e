package session

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mellium.im/xmpp/jid"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/identity"
	"github.com/palisade-im/palisade/internal/atomicfile"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/profile"
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

// How often a peer's devices are fetched again when something from the peer
// arrives (a presence, a message), and how long a message from a peer whose
// devices were never fetched waits for them before it is reported anyway.
const (
	identityRefetch = 15 * time.Minute
	identityRetry   = 30 * time.Second
	identityHold    = 5 * time.Second
	// identityExpiryTick bounds the wait of the loop that re-verifies
	// peers when a certificate's validity starts or ends.
	identityExpiryTick = time.Hour
	// identityParallel bounds the background requests in flight, so that
	// signing in with a large roster does not send them all at once.
	identityParallel = 8
)

const identityStateFile = "identities.json"

// identState is the session's share of peers' identities. Lock order: s.mu
// before ident.mu; trustOf takes ident.mu alone.
type identState struct {
	forged atomic.Int64 // device notifications not from a peer's bare JID, ignored

	slots     chan struct{} // background requests in flight (identityParallel)
	slotsOnce sync.Once

	mu      sync.Mutex
	peers   map[string]*peerIdent   // by bare JID
	holding map[uint64]bool         // background requests that hold a slot
	records map[string]*identRecord // persisted: what was verified and acknowledged
	path    string                  // "" keeps the records in memory only
	loaded  bool

	kick chan struct{} // wakes the expiry loop after new devices (identityExpiryLoop)

	verKey   string             // the profile the verifier was built from
	verifier *identity.Verifier // nil: no identity CA (every peer is unverified)
	fixed    *identity.Verifier // set by tests: used instead of the profile's
	refetch  time.Duration      // 0 = identityRefetch
	hold     time.Duration      // 0 = identityHold
	now      func() time.Time   // nil = time.Now
}

// peerIdent is what is known of one peer's devices.
type peerIdent struct {
	fetched   time.Time // last answer (zero: never)
	asked     time.Time // last request
	fetching  uint64    // the request in flight (0: none)
	have      bool      // devices known (an answer came)
	fetchErr  string    // why the last fetch failed
	devices   []peerDevice
	best      identity.Result
	last      string      // the device that signed the peer's latest valid message
	held      []func()    // messages waiting for the devices, in arrival order
	heldT     *time.Timer // releases held messages when no answer comes
	releasing bool        // releaseHeld is handing held messages on
}

type peerDevice struct {
	id     string
	chain  [][]byte
	result identity.Result
}

// identRecord is the persisted memory about a peer (no secrets): whether it
// was ever verified, the certificates of its devices that were verified or
// acknowledged, and a pending identity change.
type identRecord struct {
	Verified  bool              `json:"verified"`
	Devices   map[string]string `json:"devices,omitempty"` // device id -> SHA-256 of the certificate
	LostAcked bool              `json:"lost_acked,omitempty"`
	Lock      *identLock        `json:"lock,omitempty"`
}

type identLock struct {
	Change   string    `json:"change"`
	DeviceID string    `json:"device_id,omitempty"`
	Detail   string    `json:"detail"`
	At       time.Time `json:"at"`
	// Devices are the peer's devices when the change was seen (device id
	// -> SHA-256 of the certificate): what the user acknowledges.
	Devices map[string]string `json:"devices,omitempty"`
	// Verified: the peer was still verified then (a device was added or
	// changed beside a valid one); false: acknowledging accepts the loss.
	Verified bool `json:"verified,omitempty"`
}

var fetchSeq atomic.Uint64

func (st *identState) clock() time.Time {
	if st.now != nil {
		return st.now()
	}
	return time.Now()
}

// peer returns the entry of a bare JID, making it. st.mu is held.
func (st *identState) peer(b string) *peerIdent {
	if st.peers == nil {
		st.peers = map[string]*peerIdent{}
	}
	p := st.peers[b]
	if p == nil {
		p = &peerIdent{}
		st.peers[b] = p
	}
	return p
}

// loadRecords reads the persisted records once. st.mu is held.
func (s *Session) loadRecords() {
	st := &s.ident
	if st.loaded {
		return
	}
	st.loaded = true
	st.records = map[string]*identRecord{}
	if s.cfg.DataDir == "" {
		return
	}
	st.path = filepath.Join(s.cfg.DataDir, identityStateFile)
	data, err := os.ReadFile(st.path)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	var f struct {
		Peers map[string]*identRecord `json:"peers"`
	}
	if err == nil {
		err = json.Unmarshal(data, &f)
	}
	if err != nil {
		path := st.path
		st.path = ""
		s.queue(event.Error{Message: s.lang.T("The record of verified contacts ({{.Path}}) cannot be read ({{.Err}}): identity changes of contacts verified before are not detected until it is fixed or removed; it is not written over.",
			l10n.Args{"Path": path, "Err": err.Error()}), Code: event.CodeConfig})
		return
	}
	for k, r := range f.Peers {
		if r != nil {
			st.records[k] = r
		}
	}
}

// saveRecords writes the records atomically. st.mu is held.
func (s *Session) saveRecords() {
	st := &s.ident
	if st.path == "" {
		return
	}
	data, err := json.MarshalIndent(struct {
		Peers map[string]*identRecord `json:"peers"`
	}{st.records}, "", "  ")
	if err == nil {
		err = atomicfile.Write(st.path, data)
	}
	if err != nil {
		s.queue(event.Error{Message: s.lang.T("The record of verified contacts could not be saved: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
	}
}

// identityVerifier returns the verifier of the profile in force (built
// again when another profile is applied), writing its reasons in the
// user's language. st.mu is held.
func (s *Session) identityVerifier() *identity.Verifier {
	st := &s.ident
	if st.fixed != nil {
		return st.fixed.In(s.lang)
	}
	if s.cfg.Profiles == nil {
		return nil
	}
	p := s.cfg.Profiles.Active()
	if p == nil {
		st.verKey, st.verifier = "", nil
		return nil
	}
	key := fmt.Sprintf("%s\x00%d\x00%x", p.ID, p.Serial, sha256.Sum256(p.Bytes()))
	if key == st.verKey {
		return st.verifier
	}
	v, err := p.IdentityVerifier()
	if err != nil {
		s.queue(event.Error{Message: s.lang.T("The identity CAs of the profile cannot be used ({{.Err}}): no contact can be verified.", l10n.Args{"Err": profile.ReasonIn(s.lang, err)}), Code: event.CodeConfig})
		v = nil
	}
	if v != nil {
		v = v.In(s.lang)
	}
	st.verKey, st.verifier = key, v
	return v
}

// identityTrust adds what is known of a peer's identity to its trust, and
// asks for the peer's devices when they are unknown or old. It does not
// take s.mu.
func (s *Session) identityTrust(b string, t event.Trust) event.Trust {
	if !strings.Contains(b, "@") {
		return t
	}
	st := &s.ident
	st.mu.Lock()
	s.loadRecords()
	p := st.peer(b)
	fillIdentity(&t, p, st.records[b])
	var seq uint64
	if s.wantFetch(p) {
		seq = st.reserve(p)
	}
	st.mu.Unlock()
	if seq != 0 {
		go s.sendFetchQueued(b, seq)
	}
	return t
}

// fillIdentity copies a peer's verdict into its trust.
func fillIdentity(t *event.Trust, p *peerIdent, rec *identRecord) {
	if p != nil && (p.have || p.best.Status != "") {
		r := p.best
		t.Identity = r.Status
		t.Subject, t.Issuer = r.Subject, r.Issuer
		t.Person, t.IdentityOrg, t.IdentityCA = r.Person, r.Org, r.CA
		if r.Status != event.IdentityVerified {
			t.IdentityReason = r.Reason
		}
	}
	t.IdentityChanged = rec != nil && rec.Lock != nil
}

// wantFetch reports whether p's devices should be asked for now, and marks
// the request as made. st.mu is held.
func (s *Session) wantFetch(p *peerIdent) bool {
	st := &s.ident
	now := st.clock()
	if p.fetching != 0 {
		return false
	}
	refetch := st.refetch
	if refetch <= 0 {
		refetch = identityRefetch
	}
	switch {
	case !p.asked.IsZero() && now.Sub(p.asked) < min(identityRetry, refetch):
		return false
	case p.have && now.Sub(p.fetched) < refetch:
		return false
	}
	return true
}

// reserve marks a request for p's devices as in flight and returns its
// number. st.mu is held.
func (st *identState) reserve(p *peerIdent) uint64 {
	seq := fetchSeq.Add(1)
	p.fetching = seq
	p.asked = st.clock()
	return seq
}

// fetchDevices asks the peer's PEP service for its device items now.
func (s *Session) fetchDevices(b string) {
	st := &s.ident
	st.mu.Lock()
	seq := st.reserve(st.peer(b))
	st.mu.Unlock()
	s.sendFetch(b, seq)
}

// sendFetchQueued sends the reserved request seq once fewer than
// identityParallel background requests are in flight. It blocks: run it on
// its own goroutine.
func (s *Session) sendFetchQueued(b string, seq uint64) {
	st := &s.ident
	st.slotsOnce.Do(func() { st.slots = make(chan struct{}, identityParallel) })
	select {
	case st.slots <- struct{}{}:
	case <-s.ctx.Done():
		s.fetchDone(b, seq, nil, "")
		return
	}
	st.mu.Lock()
	current := st.peer(b).fetching == seq
	if current {
		if st.holding == nil {
			st.holding = map[uint64]bool{}
		}
		st.holding[seq] = true
	}
	st.mu.Unlock()
	if !current {
		<-st.slots // superseded while waiting
		return
	}
	s.sendFetch(b, seq)
}

// sendFetch sends the reserved request seq. Offline or for a room, nothing
// is asked and the request ends at once.
func (s *Session) sendFetch(b string, seq uint64) {
	if s.isRoom(b) {
		s.fetchDone(b, seq, nil, "")
		return
	}
	s.mu.Lock()
	c := s.cur
	if c != nil {
		s.fetchDevicesOn(c, b, seq)
	}
	s.mu.Unlock()
	if c == nil {
		s.fetchDone(b, seq, nil, "")
	}
}

// fetchDevicesOn sends the request on c. s.mu is held.
func (s *Session) fetchDevicesOn(c *conn, b string, seq uint64) {
	req := iq("get", randomID(), b, elem(nsPubSub, "pubsub").add(elem("", "items", "node", nsDevices, "max_items", strconv.Itoa(maxPeerDevices))))
	var err error
	if b == c.bare {
		// The own account's server may answer without 'from'.
		err = s.sendIQ(c, req, func(a *inStanza) {
			if c.fromSelf(a.From) {
				s.onDevices(b, seq, a)
			}
		})
	} else {
		err = s.sendIQTo(c, b, req, func(a *inStanza) { s.onDevices(b, seq, a) })
	}
	if err != nil {
		s.fetchDone(b, seq, nil, s.lang.T("the request could not be sent"))
		return
	}
	time.AfterFunc(replyTimeout, func() { s.fetchDone(b, seq, nil, s.lang.T("no answer from {{.JID}}", l10n.Args{"JID": b})) })
}

// onDevices handles the answer to a device request.
func (s *Session) onDevices(b string, seq uint64, a *inStanza) {
	switch {
	case a.Type == "result":
		var items []pubsubItem
		if a.PubSub != nil && a.PubSub.Items != nil && (a.PubSub.Items.Node == "" || a.PubSub.Items.Node == nsDevices) {
			items = a.PubSub.Items.Items
		}
		if items == nil {
			items = []pubsubItem{}
		}
		s.fetchDone(b, seq, items, "")
	case nothingPublished((&pubsubReply{Error: a.Error}).condition()):
		s.fetchDone(b, seq, []pubsubItem{}, "") // nothing published (or nothing we may see)
	default:
		s.fetchDone(b, seq, nil, s.lang.T("the certificates could not be fetched ({{.Err}})", l10n.Args{"Err": a.Error.String()}))
	}
}

// nothingPublished reports whether a PEP error means that the peer has no
// devices node we may read: it does not exist (item-not-found; Prosody
// answers forbidden for another account's missing node) or it is not open.
func nothingPublished(cond string) bool {
	switch cond {
	case "item-not-found", "forbidden", "not-authorized":
		return true
	}
	return false
}

// fetchDone ends a request: items (nil when it failed, with why) become
// the peer's devices, which are verified; changes are reported and the
// messages held for the peer are let through.
func (s *Session) fetchDone(b string, seq uint64, items []pubsubItem, why string) {
	st := &s.ident
	st.mu.Lock()
	if st.holding[seq] {
		delete(st.holding, seq)
		<-st.slots
	}
	p := st.peer(b)
	if p.fetching != seq {
		st.mu.Unlock()
		return // an older request, or already ended
	}
	p.fetching = 0
	if items == nil {
		p.fetchErr = why
		report := !p.have && why != ""
		if report {
			p.best = identity.Result{Status: event.IdentityUnverified, Reason: s.lang.T("The device certificates of {{.JID}} are not available: {{.Why}}.", l10n.Args{"JID": b, "Why": why})}
		}
		var certs event.Certificates
		if report {
			certs = s.certificatesOf(b, p)
		}
		st.mu.Unlock()
		if report {
			certs.Trust = s.trustOf(b)
			s.emit(certs)
		}
		s.releaseHeld(p)
		return
	}
	p.fetchErr = ""
	p.fetched = st.clock()
	p.have = true
	p.devices = decodeDevices(s.lang, items)
	st.mu.Unlock()
	s.reverify(b)
	s.releaseHeld(p)
	select { // the expiry loop looks at the new certificates' dates
	case st.kick <- struct{}{}:
	default:
	}
}

// identityExpiryLoop re-verifies the known peers when one of their
// certificates reaches the end (or the start) of its validity, so that a
// certificate that expires during a long session shows as expired (and
// locks sending as any lost verification does) at that moment, not at the
// next start or profile.
func (s *Session) identityExpiryLoop() {
	st := &s.ident
	for {
		next := s.identityBoundary()
		if !s.sleepUntil(next, st.clock(), identityExpiryTick, st.kick) {
			return
		}
		if !next.IsZero() && !st.clock().Before(next) {
			s.identityRulesChanged() // emits only what changed
		}
	}
}

// identityBoundary is the next time a known device certificate becomes
// valid or stops being valid (just after its last valid second), or zero.
func (s *Session) identityBoundary() time.Time {
	st := &s.ident
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.clock()
	var next time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && now.Before(t) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, p := range st.peers {
		for _, d := range p.devices {
			if d.chain == nil {
				continue
			}
			consider(d.result.NotBefore)
			if !d.result.NotAfter.IsZero() {
				consider(d.result.NotAfter.Add(time.Second))
			}
		}
	}
	return next
}

// decodeDevices turns items into devices (undecodable ones are kept, with
// the reason, so that the details view shows them).
func decodeDevices(lang l10n.Lang, items []pubsubItem) []peerDevice {
	var out []peerDevice
	for _, it := range items {
		if len(out) >= maxPeerDevices {
			break
		}
		d := peerDevice{id: it.ID}
		if it.Device != nil && it.Device.ID != "" {
			d.id = it.Device.ID
		}
		chain, err := it.Device.chain()
		if err != nil {
			d.result = identity.Result{Status: event.IdentityUnverified, DeviceID: d.id, Reason: lang.T("The published device item cannot be read: {{.Err}}.", l10n.Args{"Err": err.Error()})}
		} else {
			d.chain = chain
		}
		out = append(out, d)
	}
	return out
}

// reverify verifies the peer's devices with the verifier in force,
// detects identity changes and reports them.
func (s *Session) reverify(b string) {
	st := &s.ident
	st.mu.Lock()
	s.loadRecords()
	p := st.peer(b)
	v := s.identityVerifier()
	now := st.clock()
	var results []identity.Result
	for i := range p.devices {
		d := &p.devices[i]
		if d.chain != nil {
			d.result = v.Verify(d.chain, b, now)
			if d.result.DeviceID == "" {
				d.result.DeviceID = d.id
			}
		}
		results = append(results, d.result)
	}
	old := p.best
	p.best = identity.BestIn(s.lang, results)
	ch := s.detectChange(b, p)
	rec := st.records[b]
	var t event.Trust
	fillIdentity(&t, p, rec)
	certs := s.certificatesOf(b, p)
	changed := old.Status != p.best.Status || old.SHA256 != p.best.SHA256 || ch != nil
	st.mu.Unlock()
	if !changed {
		return
	}
	certs.Trust = s.trustOf(b)
	s.emit(certs)
	if ch != nil {
		s.reportChange(b, ch)
	}
}

// reportChange records an identity change in the audit log and emits it
// with the peer's trust.
func (s *Session) reportChange(b string, ch *event.IdentityChanged) {
	full := s.trustOf(b)
	ch.Trust = full
	s.audit("identity_changed", map[string]any{"jid": b, "change": ch.Change, "device_id": ch.DeviceID, "detail": ch.Detail,
		"identity": full.Identity, "subject": full.Subject, "issuer": full.Issuer})
	s.emit(*ch)
}

// unknownDevice is the identity change of a verified peer whose message
// was signed by a device it never published (nor the user acknowledged);
// nil when it is none.
func (s *Session) unknownDevice(b, device string) *event.IdentityChanged {
	st := &s.ident
	st.mu.Lock()
	defer st.mu.Unlock()
	s.loadRecords()
	rec := st.records[b]
	if b == s.bare.String() || rec == nil || !rec.Verified || rec.Lock != nil {
		return nil
	}
	if _, known := rec.Devices[device]; known {
		return nil
	}
	p := st.peer(b)
	lock := &identLock{Change: event.ChangeNewDevice, DeviceID: device, At: st.clock().UTC(),
		Detail:   s.lang.T("{{.JID}} sent a message from a device {{.Device}} that has no valid certificate.", l10n.Args{"JID": b, "Device": device}),
		Verified: p.best.Status == event.IdentityVerified,
		Devices:  map[string]string{device: ""},
	}
	for _, d := range p.devices {
		lock.Devices[d.id] = d.result.SHA256
	}
	rec.Lock = lock
	s.saveRecords()
	return &event.IdentityChanged{JID: b, Change: lock.Change, DeviceID: device, Detail: lock.Detail}
}

// detectChange compares the peer's devices with what was verified or
// acknowledged before. It returns the change to report (nil: none) and
// updates the record. st.mu is held.
func (s *Session) detectChange(b string, p *peerIdent) *event.IdentityChanged {
	st := &s.ident
	rec := st.records[b]
	verified := p.best.Status == event.IdentityVerified
	if b == s.bare.String() {
		return nil // the user's own devices never lock anything
	}
	if rec == nil || !rec.Verified {
		if !verified {
			return nil
		}
		rec = &identRecord{Verified: true, Devices: map[string]string{}}
		for _, d := range p.devices {
			if d.result.Status == event.IdentityVerified {
				rec.Devices[d.id] = d.result.SHA256
			}
		}
		st.records[b] = rec
		s.saveRecords()
		return nil
	}
	if rec.Devices == nil {
		rec.Devices = map[string]string{}
	}
	if verified {
		rec.LostAcked = false
	}
	if rec.Lock != nil {
		return nil // already waiting for the user
	}
	var lock *identLock
	dirty := false
	for _, d := range p.devices {
		sum, known := rec.Devices[d.id]
		switch {
		case known && sum == "":
			// Acknowledged before it had a certificate: a valid one now
			// is welcome, an invalid one was accepted already.
			if d.result.Status == event.IdentityVerified {
				rec.Devices[d.id] = d.result.SHA256
				dirty = true
			}
		case known && sum != d.result.SHA256:
			lock = &identLock{Change: event.ChangeCertificate, DeviceID: d.id,
				Detail: s.describeChange(b, d.id, d.result)}
		case !known && d.result.Status != event.IdentityVerified:
			lock = &identLock{Change: event.ChangeNewDevice, DeviceID: d.id,
				Detail: s.lang.T("{{.JID}} has a new device {{.Device}} without a valid certificate: {{.Reason}}", l10n.Args{"JID": b, "Device": d.id, "Reason": d.result.Reason})}
		case !known:
			rec.Devices[d.id] = d.result.SHA256 // a new certified device: nothing to check
			dirty = true
		}
		if lock != nil {
			break
		}
	}
	if lock == nil && !verified && !rec.LostAcked {
		lock = &identLock{Change: event.ChangeLost, Detail: s.lang.T("{{.JID}}'s identity is no longer verified: {{.Reason}}", l10n.Args{"JID": b, "Reason": p.best.Reason})}
	}
	if lock == nil {
		if dirty {
			s.saveRecords()
		}
		return nil
	}
	lock.At = st.clock().UTC()
	lock.Verified = verified
	lock.Devices = map[string]string{}
	for _, d := range p.devices {
		lock.Devices[d.id] = d.result.SHA256
	}
	rec.Lock = lock
	s.saveRecords()
	return &event.IdentityChanged{JID: b, Change: lock.Change, DeviceID: lock.DeviceID, Detail: lock.Detail}
}

// identityStatus names an identity status (event.Identity*) for a
// sentence in lang.
func identityStatus(lang l10n.Lang, status string) string {
	switch status {
	case event.IdentityVerified:
		return lang.T("verified")
	case event.IdentityUnverified:
		return lang.T("unverified")
	case event.IdentityExpired:
		return lang.T("expired")
	case event.IdentityRevoked:
		return lang.T("revoked")
	case event.IdentityMismatch:
		return lang.T("mismatch")
	}
	return status
}

// describeChange is the detail of a changed certificate of b's device.
func (s *Session) describeChange(b, device string, r identity.Result) string {
	args := l10n.Args{"JID": b, "Device": device, "Status": identityStatus(s.lang, r.Status)}
	if r.Subject == "" {
		return s.lang.T("The certificate of {{.JID}}'s device {{.Device}} changed ({{.Status}}).", args)
	}
	args["Subject"], args["CA"] = r.Subject, r.CA
	return s.lang.T("The certificate of {{.JID}}'s device {{.Device}} changed ({{.Subject}}, issued by {{.CA}}: {{.Status}}).", args)
}

// certificatesOf is the Certificates event of a peer (without Trust). st.mu is held.
func (s *Session) certificatesOf(b string, p *peerIdent) event.Certificates {
	ev := event.Certificates{JID: b, Devices: []event.DeviceCert{}}
	for _, d := range p.devices {
		r := d.result
		ev.Devices = append(ev.Devices, event.DeviceCert{
			DeviceID: d.id, Status: r.Status, Reason: r.Reason, Subject: r.Subject, Issuer: r.Issuer,
			Serial: r.Serial, SHA256: r.SHA256, NotBefore: r.NotBefore, NotAfter: r.NotAfter,
			JID: r.JID, Chain: r.Chain, Current: d.id == p.last && p.last != "",
		})
	}
	return ev
}

// identityLocked reports the pending identity change of a peer, if any.
func (s *Session) identityLocked(b string) *identLock {
	st := &s.ident
	st.mu.Lock()
	defer st.mu.Unlock()
	s.loadRecords()
	if r := st.records[b]; r != nil {
		return r.Lock
	}
	return nil
}

// refuseIdentity refuses a send to a peer whose identity changed and was
// not acknowledged yet: it reports event.Refused and returns true.
func (s *Session) refuseIdentity(cmd event.Command, id, to string) bool {
	b := peerOf(to)
	l := s.identityLocked(b)
	if l == nil {
		return false
	}
	t := s.trustOf(b)
	s.emit(event.Refused{Command: cmd.CommandName(), ID: id, To: to, Code: event.RefusedIdentity,
		Reason: s.lang.T("{{.Detail}} Check it with {{.JID}} (for example by phone), then acknowledge the change before sending.", l10n.Args{"Detail": l.Detail, "JID": b}), Trust: &t})
	return true
}

// identityRulesChanged verifies every known peer again (a profile was
// applied: its identity CAs or revocations may differ).
func (s *Session) identityRulesChanged() {
	st := &s.ident
	st.mu.Lock()
	var peers []string
	for b, p := range st.peers {
		if p.have {
			peers = append(peers, b)
		}
	}
	st.mu.Unlock()
	sort.Strings(peers)
	for _, b := range peers {
		s.reverify(b)
	}
}

// onDeviceEvent handles a PEP notification of the devices node. It is
// taken only from a peer's bare JID (PEP notifications come from there);
// anything else is counted and ignored. The notification only says that
// something changed: the devices are fetched again from the peer.
func (s *Session) onDeviceEvent(c *conn, st *inStanza) bool {
	if st.PubSubEvent == nil || st.PubSubEvent.Items == nil || st.PubSubEvent.Items.Node != nsDevices {
		return false
	}
	j, err := jid.Parse(st.From)
	if err != nil || st.From == "" || j.Resourcepart() != "" || j.Localpart() == "" {
		s.ident.forged.Add(1)
		s.audit("suspect_stanza", map[string]any{"kind": "device-notification", "from": st.From,
			"reason": "a device notification not from an account's bare JID was ignored"})
		return true
	}
	b := j.Bare().String()
	ist := &s.ident
	ist.mu.Lock()
	p := ist.peer(b)
	var seq uint64
	if p.fetching == 0 {
		seq = ist.reserve(p)
	}
	ist.mu.Unlock()
	if seq != 0 {
		go s.sendFetchQueued(b, seq)
	}
	return true
}

// holdForIdentity delays a message from a peer whose devices were never
// fetched until they are (at most a few seconds), so that its signature
// can be judged. It reports true when f will be called later. Offline
// (nothing could be fetched), nothing is held. s.mu is not held.
func (s *Session) holdForIdentity(b string, f func()) bool {
	if !strings.Contains(b, "@") {
		return false
	}
	s.mu.Lock()
	online := s.cur != nil
	s.mu.Unlock()
	st := &s.ident
	st.mu.Lock()
	p := st.peer(b)
	if (p.have || !online) && len(p.held) == 0 && !p.releasing {
		st.mu.Unlock()
		return false
	}
	if p.have || !online || p.releasing || len(p.held) >= maxHeldPerPeer {
		// Messages are being released (or too many wait): this one goes
		// behind them, never before, so the order is kept.
		p.held = append(p.held, f)
		st.mu.Unlock()
		s.releaseHeld(p)
		return true
	}
	now := st.clock()
	var seq uint64
	if p.fetching == 0 && !p.have && (p.asked.IsZero() || now.Sub(p.asked) >= identityRetry) {
		seq = st.reserve(p)
	}
	if seq == 0 && p.fetching == 0 && len(p.held) == 0 {
		st.mu.Unlock()
		return false
	}
	p.held = append(p.held, f)
	if p.heldT == nil {
		d := st.hold
		if d <= 0 {
			d = identityHold
		}
		p.heldT = time.AfterFunc(d, func() { s.releaseHeld(p) })
	}
	st.mu.Unlock()
	if seq != 0 {
		s.sendFetch(b, seq) // offline: ends at once, and the message goes on
	}
	return true
}

// maxHeldPerPeer bounds the messages held for one peer while its devices
// are fetched; past it they are released (in order) without waiting.
const maxHeldPerPeer = 1024

// releaseHeld hands the messages held for p on, in the order they came.
// Only one caller releases at a time; messages held meanwhile (by the reader
// while a release runs) queue behind and are released by the same loop.
func (s *Session) releaseHeld(p *peerIdent) {
	st := &s.ident
	st.mu.Lock()
	if p.releasing {
		st.mu.Unlock()
		return
	}
	p.releasing = true
	for {
		held := s.takeHeld(p)
		if len(held) == 0 {
			p.releasing = false
			st.mu.Unlock()
			return
		}
		st.mu.Unlock()
		for _, f := range held {
			f()
		}
		st.mu.Lock()
	}
}

// takeHeld returns the held messages and stops their timer. st.mu is held.
func (s *Session) takeHeld(p *peerIdent) []func() {
	h := p.held
	p.held = nil
	if p.heldT != nil {
		p.heldT.Stop()
		p.heldT = nil
	}
	return h
}

// executeIdentity runs the peer identity commands. It reports false for
// any other command.
func (s *Session) executeIdentity(cmd event.Command) bool {
	switch c := cmd.(type) {
	case *event.GetCertificates:
		return s.executeIdentity(*c)
	case *event.AckIdentity:
		return s.executeIdentity(*c)
	case event.GetCertificates:
		b, ok := bareJID(c.JID)
		if !ok || !strings.Contains(b, "@") {
			s.badCommand(c, s.lang.T("Not a valid contact address: {{.JID}}", l10n.Args{"JID": c.JID}))
			return true
		}
		st := &s.ident
		st.mu.Lock()
		p := st.peer(b)
		ev := s.certificatesOf(b, p)
		st.mu.Unlock()
		ev.Trust = s.trustOf(b) // asks for the devices when they are unknown or old
		s.emit(ev)
		st.mu.Lock()
		var seq uint64
		if !p.have && p.fetching == 0 {
			seq = st.reserve(p) // asked for explicitly: even shortly after a failure
		}
		st.mu.Unlock()
		if seq != 0 {
			s.sendFetch(b, seq) // a Certificates event follows the answer when it changes anything
		}
	case event.AckIdentity:
		b, ok := bareJID(c.JID)
		if !ok || !strings.Contains(b, "@") {
			s.badCommand(c, s.lang.T("Not a valid contact address: {{.JID}}", l10n.Args{"JID": c.JID}))
			return true
		}
		s.ackIdentity(b)
	default:
		return false
	}
	return true
}

// ackIdentity records that the user checked a peer's identity change: the
// devices as they are now become the known ones, and sending is unlocked.
func (s *Session) ackIdentity(b string) {
	st := &s.ident
	st.mu.Lock()
	s.loadRecords()
	rec := st.records[b]
	var was *identLock
	if rec != nil {
		was = rec.Lock
		rec.Lock = nil
		if rec.Devices == nil {
			rec.Devices = map[string]string{}
		}
		if was != nil {
			for id, sum := range was.Devices {
				rec.Devices[id] = sum
			}
			rec.LostAcked = !was.Verified
		}
		if p := st.peer(b); p.have {
			for _, d := range p.devices {
				rec.Devices[d.id] = d.result.SHA256
			}
			rec.LostAcked = p.best.Status != event.IdentityVerified
		}
		s.saveRecords()
	}
	st.mu.Unlock()
	t := s.trustOf(b)
	if was != nil {
		s.audit("identity_acknowledged", map[string]any{"jid": b, "change": was.Change, "device_id": was.DeviceID, "detail": was.Detail,
			"identity": t.Identity, "subject": t.Subject, "issuer": t.Issuer})
	}
	s.emit(event.IdentityAcknowledged{JID: b, Trust: t})
}
