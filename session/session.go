package session

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"mellium.im/xmpp/jid"

	"github.com/palisade-im/palisade/archive"
	"github.com/palisade-im/palisade/audit"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/profile"
)

// Config is what a session needs to connect. It holds no secret: the password
// is asked through Password at every connection attempt and never stored.
type Config struct {
	JID       string                 // bare JID of the account, e.g. alice@acme.test
	Password  func() (string, error) // asked at each connection attempt
	Server    string                 // optional host:port; overrides DNS SRV lookup
	DirectTLS bool                   // XEP-0368 direct TLS instead of STARTTLS
	CAFile    string                 // optional extra trusted CA (PEM), besides the system roots
	DataDir   string                 // where the outbox and stream state are persisted
	Resource  string                 // optional resource; the server assigns one if empty

	// ChannelBindingTLS12 caps TLS at version 1.2 for this account so that
	// SCRAM-*-PLUS uses tls-unique channel binding. It exists for servers
	// that advertise SCRAM-PLUS but reject tls-exporter binding on TLS 1.3
	// (ejabberd before 23.04). See SCRAM.md.
	ChannelBindingTLS12 bool

	// Profiles keeps the IT-signed configuration profiles and bulletins;
	// nil: unmanaged (built-in defaults, no PubSub subscription).
	Profiles *profile.Manager

	// Audit is the hash-chained audit log that security events go to
	// (refusals, confirmations, blocks, profile changes, infected files).
	// nil: the session opens DataDir/audit itself on first use and closes
	// it when it stops; with no DataDir nothing is recorded.
	Audit *audit.Log

	// ClamdSocket is the virus scanner's Unix socket; "" = Debian's
	// /run/clamav/clamd.ctl. Received files wait in DataDir/quarantine
	// until clamd finds them clean.
	ClamdSocket string
	// DownloadDir is where clean received files go; "" = the XDG download
	// folder, else ~/Downloads.
	DownloadDir string
	// UploadHosts names the host(s) of the server's own upload service
	// when its URLs point at a loopback or private address (a server on
	// the company network). The hosts of upload slots granted by the
	// server are trusted without being listed (the session asks for an
	// unused slot to learn them when a local link arrives first).
	UploadHosts []string

	// Archive is the local message archive: every 1:1 message is stored
	// there, MAM catch-up runs after each sign-in, and the search, history
	// and export commands read it. nil: no local archive (no catch-up; those
	// commands answer "unsupported"). The caller opens and closes it.
	Archive *archive.Archive
	// ArchiveOff says why there is no local archive (no keyring, a wrong
	// key); the session reports it once, at start.
	ArchiveOff *event.Error

	// Tor says how to reach Tor when connections go through it: the
	// profile requires it, or the user turned it on (tor.go).
	Tor TorConfig

	// Lang is the user's language ("en", "fr", or a locale such as
	// "fr_FR.UTF-8"; "" = English): of the training content (training.go)
	// and of every sentence the session writes for the user (reasons,
	// refusals, notices; package l10n).
	Lang string

	// DeviceKey is this device's identity key (from the OS keyring; see
	// enrol.go); nil: no identity (no signatures, no enrolment).
	// DeviceLost: the previous device key vanished from the keyring and
	// DeviceKey is a new one (the session says so and re-enrols).
	// DeviceOff says why there is no device key (no keyring).
	DeviceKey  ed25519.PrivateKey
	DeviceLost bool
	DeviceOff  *event.Error
}

// Session is one account's connection. It implements event.Backend.
type Session struct {
	cfg     Config
	lang    l10n.Lang // the language of the sentences for the user (Config.Lang)
	bare    jid.JID
	roots   *x509.CertPool
	backoff backoff
	ping    time.Duration // keepalive interval

	events chan event.Event
	evMu   sync.Mutex
	evCond *sync.Cond
	evQ    []event.Event
	evEnd  bool

	cmdMu  sync.Mutex
	cmdQ   []event.Command
	cmdSig chan struct{}

	startOnce sync.Once
	ctx       context.Context
	cancel    context.CancelFunc

	// mu guards everything below, and serialises writes of stanzas so that
	// the stream management count matches the order on the wire.
	mu       sync.Mutex
	cur      *conn // nil while offline
	sm       smState
	outbox   *outbox
	roster   map[string]event.Contact
	haveRost bool
	presence event.SetPresence // the user's chosen presence

	forged atomic.Int64 // forged carbons and roster pushes ignored

	pol     policyState  // the domain policy in force (policy.go)
	prof    profileState // PubSub subscriptions for profiles and bulletins (profile.go)
	files   fileState    // uploads, offers, downloads, quarantine (files.go)
	auditSt auditState   // the audit log (audit.go)
	muc     mucState     // rooms and bookmarks (muc.go, bookmarks.go)
	hist    historyState // local archive and MAM catch-up (archive.go, mam.go)
	enr     enrolState   // this device's key and certificate (enrol.go)
	lim     limitState   // event queue and stanza rate bounds (limits.go)
	tor     torState     // Tor routing (tor.go)
	focus   focusState   // focus hours: held messages, presence (focus.go)
	ident   identState   // peers' device certificates and identity changes (identity.go)

	train trainingState // security training: progress, gates, prompts, reports (training.go)

	mamIgnored atomic.Int64 // MAM results ignored: not from the archive asked, or not for the query sent

	// Handlers for answers to our IQs. They survive a resumed stream (the
	// server re-sends answers it could not deliver) and are dropped with
	// the stream otherwise.
	iqMu  sync.Mutex
	iqs   map[string]func(*inStanza)
	guard guardState // IQ addressees, panics caught, forged stanzas recorded (guard.go)
}

var _ event.Backend = (*Session)(nil)

// New checks the configuration and prepares a session. It does not connect:
// call Start.
func New(cfg Config) (*Session, error) {
	lang := l10n.Norm(cfg.Lang)
	if cfg.JID == "" {
		return nil, errors.New(lang.T("no account JID given"))
	}
	j, err := jid.Parse(cfg.JID)
	if err != nil {
		return nil, errors.New(lang.T("the account {{.JID}} is not a valid JID: {{.Err}}", l10n.Args{"JID": strconv.Quote(cfg.JID), "Err": err.Error()}))
	}
	if j.Localpart() == "" {
		return nil, errors.New(lang.T("the account {{.JID}} has no user part (expected user@domain)", l10n.Args{"JID": strconv.Quote(cfg.JID)}))
	}
	if cfg.Password == nil {
		return nil, errors.New("no password source given") // a programming error
	}
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", lang.T("reading the CA file"), err)
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, errors.New(lang.T("the CA file {{.Path}} holds no PEM certificate", l10n.Args{"Path": cfg.CAFile}))
		}
	}
	ob, err := loadOutboxIn(cfg.DataDir, lang)
	if err != nil {
		return nil, err
	}
	s := &Session{
		cfg:      cfg,
		lang:     l10n.Norm(cfg.Lang),
		bare:     j.Bare(),
		roots:    roots,
		backoff:  defaultBackoff,
		ping:     30 * time.Second,
		events:   make(chan event.Event, 1024),
		cmdSig:   make(chan struct{}, 1),
		outbox:   ob,
		roster:   map[string]event.Contact{},
		iqs:      map[string]func(*inStanza){},
		presence: event.SetPresence{Show: event.ShowAvailable},
	}
	s.evCond = sync.NewCond(&s.evMu)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.initPolicy()
	s.initFiles()
	s.initLimits()
	s.initTraining()
	return s, nil
}

// Start begins connecting in the background. Progress is reported as events.
func (s *Session) Start() {
	s.startOnce.Do(func() {
		s.profileStart()
		s.enrolStart()
		s.trainingStart()
		s.startRetention()
		s.focusStart()
		s.ident.kick = make(chan struct{}, 1)
		go s.identityExpiryLoop()
		go s.torWatch()
		go s.pump()
		go s.run()
	})
}

// Do queues a command. It never blocks on the network.
func (s *Session) Do(c event.Command) {
	if c == nil {
		return
	}
	s.cmdMu.Lock()
	s.cmdQ = append(s.cmdQ, c)
	s.cmdMu.Unlock()
	select {
	case s.cmdSig <- struct{}{}:
	default:
	}
}

// Events is the stream of events; it is closed after event.Closed.
func (s *Session) Events() <-chan event.Event { return s.events }

// emit queues an event. The queue is large so that a slow consumer does not
// stall the connection (which would stop acknowledgements and get the
// stream killed), and bounded so that a flood cannot exhaust memory
// (queueLimits in limits.go: transient events are coalesced, then the
// emitter waits). No message is ever dropped.
func (s *Session) emit(e event.Event) {
	s.auditEvent(e)
	s.queue(e)
	s.trainingObserve(e)
}

// queue appends e to the event queue without recording it.
func (s *Session) queue(e event.Event) {
	s.evMu.Lock()
	defer s.evCond.Broadcast()
	defer s.evMu.Unlock()
	if s.evEnd {
		return
	}
	key := coalesceKey(e)
	if key != "" && s.lim.q.soft > 0 && len(s.evQ) >= s.lim.q.soft {
		if i, ok := s.lim.evKeys[key]; ok && i < len(s.evQ) {
			s.evQ[i] = e
			s.lim.coalesced.Add(1)
			return
		}
	}
	_, closed := e.(event.Closed)
	for !closed && s.lim.q.hard > 0 && len(s.evQ) >= s.lim.q.hard && !s.evEnd {
		s.evCond.Wait() // back-pressure: the consumer catches up first
	}
	if s.evEnd {
		return
	}
	if key != "" {
		if s.lim.evKeys == nil {
			s.lim.evKeys = map[string]int{}
		}
		s.lim.evKeys[key] = len(s.evQ)
	}
	s.evQ = append(s.evQ, e)
	if closed {
		s.evEnd = true
	}
}

// pump moves queued events to the channel, in order, and closes it after
// Closed (always the last event queued).
func (s *Session) pump() {
	var batch []event.Event
	for {
		s.evMu.Lock()
		for len(s.evQ) == 0 && !s.evEnd {
			s.evCond.Wait()
		}
		batch, s.evQ = s.evQ, batch[:0]
		clear(s.lim.evKeys)
		ended := s.evEnd
		s.evMu.Unlock()
		s.evCond.Broadcast() // emitters waiting for room
		for i, e := range batch {
			s.events <- e
			batch[i] = nil
		}
		if ended {
			close(s.events)
			return
		}
	}
}

func randomID() string {
	var b [9]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Session) takeCommands() []event.Command {
	s.cmdMu.Lock()
	defer s.cmdMu.Unlock()
	q := s.cmdQ
	s.cmdQ = nil
	return q
}

type connResult struct {
	c    *conn
	info event.Connected
	err  *failure
}

// run is the session's control loop: it connects, reconnects with backoff,
// and executes commands.
func (s *Session) run() {
	defer func() {
		// After a fatal error, messages still waiting for an
		// acknowledgement are kept for the next start.
		s.mu.Lock()
		s.keepUnacked()
		s.mu.Unlock()
		s.cancel()
		s.stopTor()
		s.closeAudit()
		s.emit(event.Closed{})
	}()
	var (
		failures   int
		connecting chan connResult
		timer      *time.Timer
		timerC     <-chan time.Time
		connectNow = true
		quitting   bool
	)
	stopTimer := func() {
		if timer != nil {
			timer.Stop()
			timer, timerC = nil, nil
		}
	}
	n := 0
	for {
		s.mu.Lock()
		cur := s.cur
		s.mu.Unlock()
		if connectNow && cur == nil && connecting == nil && !quitting {
			connectNow = false
			stopTimer()
			n++
			connecting = make(chan connResult, 1)
			go func(ch chan connResult, n int) { ch <- s.connect(s.ctx, n) }(connecting, n)
		}
		var done <-chan struct{}
		if cur != nil {
			done = cur.done
		}
		select {
		case <-s.cmdSig:
			for _, c := range s.takeCommands() {
				switch c.(type) {
				case event.Quit, *event.Quit:
					quitting = true
				case event.Reconnect, *event.Reconnect:
					if cur == nil && connecting == nil {
						connectNow = true
					}
				default:
					if !quitting {
						s.execute(c)
					}
				}
			}
			// One acknowledgement request per batch of commands.
			s.mu.Lock()
			if s.cur != nil && len(s.sm.unacked) > 0 {
				s.requestAck(s.cur)
			}
			s.mu.Unlock()
			if quitting {
				stopTimer()
				if connecting != nil {
					s.cancel()
					r := <-connecting
					if r.c != nil {
						s.mu.Lock()
						s.cur = r.c
						s.mu.Unlock()
					}
				}
				s.shutdown()
				return
			}
		case r := <-connecting:
			connecting = nil
			if r.err != nil {
				failures++
				d := s.disconnected(r.err, failures)
				if r.err.fatal {
					return
				}
				timer = time.NewTimer(d)
				timerC = timer.C
				continue
			}
			failures = 0
			n = 0
			s.flushOutbox(r.c)
		case <-done:
			s.mu.Lock()
			s.cur = nil
			s.sm.lost()
			s.mu.Unlock()
			f := s.classify(cur.err, &attempt{tlsStarted: true})
			if f.code == event.CodeProtocol && cur.err == nil {
				f = &failure{code: event.CodeNetwork, msg: s.lang.T("The server closed the connection.")}
			}
			failures = 1
			d := s.disconnected(f, failures)
			if f.fatal {
				return
			}
			if d > 2*time.Second {
				d = 2 * time.Second
			}
			timer = time.NewTimer(d)
			timerC = timer.C
		case <-timerC:
			timer, timerC = nil, nil
			connectNow = true
		}
	}
}

// disconnected reports a failure and returns the delay before retrying.
func (s *Session) disconnected(f *failure, failures int) time.Duration {
	ev := event.Disconnected{Message: f.in(s.lang), Code: f.code, Fatal: f.fatal}
	var d time.Duration
	if !f.fatal {
		d = s.backoff.delay(failures)
		ev.RetryIn = d.Seconds()
	}
	s.emit(ev)
	return d
}

// shutdown closes the stream cleanly: unacknowledged messages go back to
// the outbox so that they are sent at the next start.
func (s *Session) shutdown() {
	s.mu.Lock()
	c := s.cur
	if c != nil && s.sm.enabled && len(s.sm.unacked) > 0 {
		s.requestAck(c)
	}
	s.mu.Unlock()
	if c != nil {
		deadline := time.Now().Add(2 * time.Second)
		for time.Now().Before(deadline) {
			s.mu.Lock()
			n := len(s.sm.unacked)
			s.mu.Unlock()
			if n == 0 {
				break
			}
			select {
			case <-c.done:
				deadline = time.Now()
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	s.mu.Lock()
	s.keepUnacked()
	s.cur = nil
	s.mu.Unlock()
	if c != nil {
		c.close()
	}
	s.cancel()
}

// keepUnacked moves the chat messages the server has not acknowledged to
// the outbox, and forgets the stream. s.mu is held.
func (s *Session) keepUnacked() {
	for _, o := range s.sm.unacked {
		if o.isChat() {
			if err := s.outbox.add(outboxEntry{ID: o.msgID, To: o.to, Body: o.body, Queued: time.Now().UTC()}); err != nil {
				s.emit(event.Error{Message: s.lang.T("A message could not be saved for later: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig})
			}
		}
	}
	s.sm = smState{}
}

// errNoEnable: the server did not answer the request to enable stream
// management.
var errNoEnable = errors.New("the server did not answer <enable/>")

// connect makes one connection attempt, resuming the previous stream when
// possible, and prepares the session (roster, carbons, presence).
func (s *Session) connect(ctx context.Context, n int) connResult {
	addr := s.serverAddr(ctx)
	route := s.route()
	s.emit(event.Connecting{Attempt: n, Server: addr, Route: route})
	a := &attempt{}
	s.mu.Lock()
	if s.sm.resumable() {
		prev := s.sm
		a.resume = &prev
	}
	s.mu.Unlock()
	xs, raw, err := s.dial(ctx, addr, a)
	if err != nil {
		var f *failure
		if !errors.As(err, &f) {
			f = s.classify(err, a)
		}
		return connResult{err: f}
	}
	j, _ := jid.Parse(a.jid)
	c := &conn{
		s: s, xs: xs, raw: raw, jid: j, bare: s.bare.String(),
		enabled: make(chan bool, 1),
		done:    make(chan struct{}),
	}
	if lc, ok := raw.(*limitConn); ok {
		c.lim = lc
	}
	c.lastRead.Store(time.Now().UnixNano())
	cs := xs.ConnectionState()
	info := event.Connected{
		JID:        a.jid,
		Resumed:    a.resumed,
		Mechanism:  a.mechanism,
		TLSVersion: tls.VersionName(cs.Version),
		Route:      route,
	}
	if len(a.mechanism) > 5 && a.mechanism[len(a.mechanism)-5:] == "-PLUS" {
		if cs.Version >= tls.VersionTLS13 {
			info.ChannelBinding = "tls-exporter"
		} else {
			info.ChannelBinding = "tls-unique"
		}
	}
	if len(cs.PeerCertificates) > 0 {
		info.ServerCert = certInfo(cs.PeerCertificates[0])
	}
	info.ServerTrust, info.ServerCAPinned = s.serverTrust(cs)

	fail := func(err error) connResult {
		s.mu.Lock()
		if s.cur == c {
			s.cur = nil
			s.sm.lost()
		}
		s.mu.Unlock()
		c.close()
		<-c.done
		var f *failure
		if !errors.As(err, &f) {
			f = s.classify(err, a)
		}
		return connResult{err: f}
	}

	if a.resumed {
		s.mu.Lock()
		if !s.sm.plausible(a.resumedH) {
			// The server claims stanzas it was never sent: a forged or
			// broken resumption. Trusting it would drop messages it never
			// got. The stream is never resumed again; the next connection
			// is a new session that sends the unacknowledged messages
			// again (under their own ids).
			n := len(s.sm.unacked)
			s.sm.id = ""
			s.mu.Unlock()
			s.suspicious("forged_resumption", map[string]any{"h": a.resumedH, "outstanding": n})
			c.close() // its reader never started
			return connResult{err: &failure{code: event.CodeProtocol,
				msg: s.lang.T("The server resumed the stream acknowledging {{.Acked}} stanzas, more than were sent; Palisade starts a new session and sends the {{.Outstanding}} unacknowledged ones again.",
					l10n.Args{"Acked": a.resumedH, "Outstanding": n})}}
		}
		acked, resend, err := s.sm.resumed(a.resumedH)
		s.mu.Unlock()
		if err != nil {
			s.emit(event.Error{Message: s.lang.T("stream resumption: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeProtocol})
		}
		s.reportAcked(acked)
		go c.readLoop()
		go c.keepalive(s.ping)
		s.mu.Lock()
		s.cur = c
		s.emit(info)
		for _, o := range resend {
			if err := s.write(c, o); err != nil {
				s.mu.Unlock()
				return fail(err)
			}
		}
		if len(resend) > 0 {
			s.requestAck(c)
		}
		s.mu.Unlock()
		return connResult{c: c, info: info}
	}

	// A new session: the old stream (if any) is gone.
	s.mu.Lock()
	if a.failedH != nil && s.sm.enabled == false && s.sm.id != "" {
		acked, _ := s.sm.ack(*a.failedH)
		s.mu.Unlock()
		s.reportAcked(acked)
		s.mu.Lock()
	}
	resend := s.sm.restart()
	s.mu.Unlock()
	s.iqMu.Lock()
	s.iqs = map[string]func(*inStanza){}
	s.guard.iqTo = map[string]string{}
	s.iqMu.Unlock()

	go c.readLoop()
	go c.keepalive(s.ping)
	if a.smOffered {
		if err := c.writeRaw(elem(nsSM, "enable", "resume", "true")); err != nil {
			return fail(err)
		}
		select {
		case <-c.enabled:
		case <-c.done:
			return fail(c.err)
		case <-time.After(replyTimeout):
			return fail(errNoEnable)
		case <-ctx.Done():
			return fail(ctx.Err())
		}
	}

	// Online from here: commands now go to this connection. Roster first,
	// then carbons and presence; answers arrive as events.
	s.mu.Lock()
	s.cur = c
	s.emit(info)
	err = s.sendIQ(c, iq("get", randomID(), "", elem(nsRoster, "query")), s.onRoster)
	if err == nil {
		err = s.requestBlocklist(c)
	}
	if err == nil {
		err = s.sendIQ(c, iq("set", randomID(), "", elem(nsCarbons, "enable")), func(st *inStanza) {
			if st.Type == "error" {
				s.emit(event.Error{Message: s.lang.T("The server refused message carbons: {{.Err}}", l10n.Args{"Err": st.Error.String()}), Code: event.CodeProtocol})
			}
		})
	}
	if err == nil {
		err = s.sendPresence(c)
	}
	if err == nil {
		err = s.profileSignedIn(c)
	}
	if err == nil {
		err = s.enrolSignedIn(c) // publish this device's certificate, or re-enrol
	}
	if err == nil {
		err = s.mucSignedIn(c) // rejoin rooms, fetch bookmarks (autojoin)
	}
	if err == nil {
		err = s.historySignedIn(c)
	}
	for _, o := range resend {
		if err != nil {
			break
		}
		err = s.write(c, &outStanza{el: chatMessage(o.msgID, o.to, o.body), msgID: o.msgID, to: o.to, body: o.body})
	}
	if err == nil && len(resend) > 0 {
		s.requestAck(c)
	}
	s.mu.Unlock()
	if err != nil {
		return fail(err)
	}
	return connResult{c: c, info: info}
}

// flushOutbox sends the messages queued while offline (those not already on
// their way as unacknowledged stanzas).
func (s *Session) flushOutbox(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inflight := map[string]bool{}
	for _, o := range s.sm.unacked {
		if o.isChat() {
			inflight[o.msgID] = true
		}
	}
	sent := false
	for _, e := range s.outbox.list() {
		if inflight[e.ID] || s.outboxRefused(e) {
			continue
		}
		o := &outStanza{el: chatMessage(e.ID, e.To, e.Body), msgID: e.ID, to: e.To, body: e.Body}
		if err := s.write(c, o); err != nil {
			return
		}
		sent = true
		s.emit(event.Sent{ID: e.ID, To: e.To, Trust: s.trustOf(e.To)})
		if !s.sm.enabled {
			s.outbox.remove(e.ID)
		}
	}
	if sent {
		s.requestAck(c)
	}
}

// write sends a stanza and records it for stream management. s.mu is held.
func (s *Session) write(c *conn, o *outStanza) error {
	s.signChat(o) // the device signature of a chat message (signature.go)
	if err := c.writeRaw(o.el); err != nil {
		return err
	}
	s.sm.sent(o)
	return nil
}

// requestAck asks the server for an acknowledgement. s.mu is held.
func (s *Session) requestAck(c *conn) {
	if s.sm.enabled {
		c.writeRaw(elem(nsSM, "r"))
	}
}

// sendIQ sends an IQ and registers a handler for its answer, which is
// taken only from the IQ's addressee (the account's server for an IQ
// without 'to'). s.mu is held.
func (s *Session) sendIQ(c *conn, e *el, h func(*inStanza)) error {
	id, to := "", ""
	for _, a := range e.attrs {
		switch a.Name.Local {
		case "id":
			id = a.Value
		case "to":
			to = a.Value
		}
	}
	s.iqMu.Lock()
	s.iqs[id] = h
	s.guard.iqTo[id] = to
	s.iqMu.Unlock()
	return s.write(c, &outStanza{el: e})
}

// sendPresence broadcasts the user's presence. s.mu is held.
func (s *Session) sendPresence(c *conn) error {
	p := s.presence
	if fp, ok := s.focusPresence(p); ok {
		p = fp // during focus: dnd, "Focus until 16:00" (focus.go)
	}
	show := p.Show
	typ := ""
	switch show {
	case event.ShowAvailable, "":
		show = ""
	case event.ShowUnavailable:
		show, typ = "", "unavailable"
	}
	if typ == "unavailable" {
		s.mucAway(c) // out of the rooms first, to be joined again (muc.go)
	}
	pres := presence(typ, "", show, p.Status)
	if typ == "" {
		pres.add(capsElement()) // what the client supports, for PEP notifications (caps.go)
	}
	if err := s.write(c, &outStanza{el: pres}); err != nil {
		return err
	}
	s.mucPresence(c) // the rooms the user is in see it too (muc.go)
	shown := p.Show
	if shown == "" {
		shown = event.ShowAvailable
	}
	s.emit(event.OwnPresence{Show: shown, Status: p.Status})
	return nil
}

func (s *Session) reportAcked(acked []*outStanza) {
	var removed bool
	for _, o := range acked {
		if !o.isChat() {
			continue
		}
		s.mu.Lock()
		if s.outbox.has(o.msgID) {
			if err := s.outbox.remove(o.msgID); err != nil && !removed {
				s.emit(event.Error{Message: err.Error(), Code: event.CodeConfig})
			}
			removed = true
		}
		s.mu.Unlock()
		s.emit(event.Acked{ID: o.msgID, To: o.to})
	}
}

// rosterList returns the cached roster, sorted by JID. s.mu is held.
func (s *Session) rosterList() []event.Contact {
	l := make([]event.Contact, 0, len(s.roster))
	for _, c := range s.roster {
		c.Trust = s.trustOf(c.JID)
		l = append(l, c)
	}
	sort.Slice(l, func(i, j int) bool { return l[i].JID < l[j].JID })
	return l
}

func contactOf(it rosterItem) event.Contact {
	sub := it.Subscription
	if sub == "" {
		sub = "none"
	}
	return event.Contact{
		JID:          it.JID,
		Name:         it.Name,
		Groups:       it.Groups,
		Subscription: sub,
		Pending:      it.Ask == "subscribe",
	}
}

func (s *Session) onRoster(st *inStanza) {
	if st.Type != "result" || st.Roster == nil {
		if st.Type == "error" {
			s.emit(event.Error{Message: s.lang.T("The server refused to send the contact list: {{.Err}}", l10n.Args{"Err": st.Error.String()}), Code: event.CodeProtocol})
		}
		return
	}
	s.mu.Lock()
	s.roster = make(map[string]event.Contact, len(st.Roster.Items))
	for _, it := range st.Roster.Items {
		if it.Subscription == "remove" {
			continue
		}
		c := contactOf(it)
		s.roster[c.JID] = c
	}
	s.haveRost = true
	l := s.rosterList()
	s.mu.Unlock()
	s.emit(event.Roster{Contacts: l})
}

func (c *conn) close() {
	c.closing.Store(true)
	c.xs.Close()
	c.raw.Close()
}
