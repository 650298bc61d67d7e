package session

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"mellium.im/sasl"
	"mellium.im/xmpp"
	"mellium.im/xmpp/jid"
	"mellium.im/xmpp/stream"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/profile"
)

const (
	dialTimeout      = 20 * time.Second
	negotiateTimeout = 30 * time.Second
	writeTimeout     = 30 * time.Second
	replyTimeout     = 20 * time.Second
)

// failure is an error with what the user needs to know about it.
type failure struct {
	code  string
	fatal bool
	msg   string // for the user, in the session's language
	err   error
	// say, when set, writes msg in another language: for a failure made
	// where the session's language is not known (verifyChain).
	say func(l10n.Lang) string
}

func (f *failure) Error() string { return f.msg }

// in is the failure's sentence in the user's language l.
func (f *failure) in(l l10n.Lang) string {
	if f.say != nil {
		return f.say(l)
	}
	return f.msg
}
func (f *failure) Unwrap() error { return f.err }

// attempt collects what one connection attempt learns while mellium
// negotiates the stream.
type attempt struct {
	mu         sync.Mutex
	offered    []string // SASL mechanisms offered by the server
	mechanism  string   // SASL mechanism chosen
	tlsErr     error    // certificate verification failure
	tlsStarted bool     // TLS handshake began (STARTTLS proceed or direct TLS)
	tlsOffered bool     // the server advertised STARTTLS
	tlsAsked   bool     // <starttls/> was sent
	tlsVersion uint16
	resume     *smState // stream to resume, if any
	resumed    bool
	resumedH   uint32
	resumeErr  string // why resumption failed
	failedH    *uint32
	smOffered  bool
	jid        string // full JID bound (or resumed)
}

// conn is one live, negotiated connection.
type conn struct {
	s    *Session
	xs   *xmpp.Session
	raw  net.Conn
	jid  jid.JID // full JID
	bare string

	enabled chan bool // result of <enable/>, from the reader

	done chan struct{} // closed when the reader stops
	err  error         // why the reader stopped

	closing  atomic.Bool
	lastRead atomic.Int64 // unix nanoseconds of the last element read

	lim *limitConn // counts the bytes of each stanza (limits.go); nil in unit tests
}

// certInfo describes a certificate for display.
func certInfo(c *x509.Certificate) event.CertInfo {
	if c == nil {
		return event.CertInfo{}
	}
	sum := sha256.Sum256(c.Raw)
	hex := make([]string, len(sum))
	for i, b := range sum {
		hex[i] = fmt.Sprintf("%02X", b)
	}
	return event.CertInfo{
		Subject:  c.Subject.String(),
		Issuer:   c.Issuer.String(),
		SHA256:   strings.Join(hex, ":"),
		NotAfter: c.NotAfter.UTC(),
	}
}

// tlsConfig builds the TLS configuration for one attempt. Verification is
// done by hand in VerifyConnection (the documented pattern for custom
// verification) so that an untrusted certificate can be described to the
// user: subject, issuer and fingerprint.
func (s *Session) tlsConfig(a *attempt) *tls.Config {
	cfg := &tls.Config{
		ServerName:         s.bare.Domainpart(),
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // verified in VerifyConnection below
		VerifyConnection: func(cs tls.ConnectionState) error {
			a.mu.Lock()
			a.tlsStarted = true
			a.tlsVersion = cs.Version
			a.mu.Unlock()
			err := s.verifyServer(cs)
			if err != nil {
				a.mu.Lock()
				a.tlsErr = err
				a.mu.Unlock()
			}
			return err
		},
	}
	if s.cfg.ChannelBindingTLS12 {
		cfg.MaxVersion = tls.VersionTLS12
	}
	if s.cfg.DirectTLS {
		cfg.NextProtos = []string{"xmpp-client"}
	}
	return cfg
}

func verifyChain(cs tls.ConnectionState, roots *x509.CertPool, domain string) error {
	if len(cs.PeerCertificates) == 0 {
		say := func(l l10n.Lang) string { return l.T("the server presented no certificate") }
		return &failure{code: event.CodeTLSUntrusted, fatal: true, msg: say(l10n.English), say: say}
	}
	leaf := cs.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{
		DNSName:       domain,
		Roots:         roots,
		Intermediates: inter,
	})
	if err != nil {
		ci := certInfo(leaf)
		say := func(l l10n.Lang) string {
			return l.T("The server's certificate is not trusted ({{.Err}}). Subject: {{.Subject}}; issuer: {{.Issuer}}; SHA-256 fingerprint: {{.Fingerprint}}. Palisade refused to connect. If your company uses its own certificate authority, add its certificate to the account (CA file).",
				l10n.Args{"Err": err.Error(), "Subject": ci.Subject, "Issuer": ci.Issuer, "Fingerprint": ci.SHA256})
		}
		return &failure{
			code:  event.CodeTLSUntrusted,
			fatal: true,
			err:   err,
			msg:   say(l10n.English),
			say:   say,
		}
	}
	return nil
}

// mechanisms returns the SASL mechanisms Palisade accepts, best first:
// channel binding first, then the stronger hash. PLAIN is never offered.
func (s *Session) mechanisms(a *attempt) []sasl.Mechanism {
	ms := []sasl.Mechanism{sasl.ScramSha256Plus, sasl.ScramSha1Plus, sasl.ScramSha256, sasl.ScramSha1}
	ms = saslFloor(ms, s.security()) // the profile's security.min_sasl and require_channel_binding (guard.go)
	for i, m := range ms {
		m := m
		start := m.Start
		m.Start = func(n *sasl.Negotiator) (bool, []byte, interface{}, error) {
			a.mu.Lock()
			a.mechanism = m.Name
			a.mu.Unlock()
			return start(n)
		}
		ms[i] = m
	}
	return ms
}

// saslFeature wraps mellium's SASL feature to record the offered mechanisms.
func (s *Session) saslFeature(password string, a *attempt) xmpp.StreamFeature {
	f := xmpp.SASL("", password, s.mechanisms(a)...)
	parse := f.Parse
	f.Parse = func(ctx context.Context, d *xml.Decoder, start *xml.StartElement) (bool, interface{}, error) {
		req, data, err := parse(ctx, d, start)
		if l, ok := data.([]string); ok {
			a.mu.Lock()
			a.offered = append([]string(nil), l...)
			a.mu.Unlock()
		}
		return req, data, err
	}
	return f
}

// startTLSFeature wraps mellium's STARTTLS so that a server that does not
// advertise it is refused at once (mellium would send <starttls/> anyway,
// per RFC 7590, and wait for a server that may never answer), and so that
// a server hanging up on <starttls/> is known for what it is.
func (s *Session) startTLSFeature(cfg *tls.Config, a *attempt) xmpp.StreamFeature {
	f := xmpp.StartTLS(cfg)
	parse, negotiate := f.Parse, f.Negotiate
	f.Parse = func(ctx context.Context, d *xml.Decoder, start *xml.StartElement) (bool, interface{}, error) {
		a.mu.Lock()
		a.tlsOffered = true
		a.mu.Unlock()
		return parse(ctx, d, start)
	}
	f.Negotiate = func(ctx context.Context, xs *xmpp.Session, data interface{}) (xmpp.SessionState, io.ReadWriter, error) {
		a.mu.Lock()
		offered := a.tlsOffered
		a.tlsAsked = offered
		a.mu.Unlock()
		if !offered {
			return 0, nil, noTLS(s.lang, nil)
		}
		return negotiate(ctx, xs, data)
	}
	return f
}

// bindFeature binds a resource or, when a stream can be resumed, resumes
// it instead (XEP-0198 §5: <resume/> takes the place of resource binding).
func (s *Session) bindFeature(a *attempt) xmpp.StreamFeature {
	return xmpp.StreamFeature{
		Name:       xml.Name{Space: nsBind, Local: "bind"},
		Necessary:  xmpp.Authn,
		Prohibited: xmpp.Ready,
		Parse: func(ctx context.Context, d *xml.Decoder, start *xml.StartElement) (bool, interface{}, error) {
			return true, nil, d.Skip()
		},
		Negotiate: func(ctx context.Context, xs *xmpp.Session, _ interface{}) (xmpp.SessionState, io.ReadWriter, error) {
			_, a.smOffered = xs.Feature(nsSM)
			if a.smOffered && a.resume != nil && a.resume.resumable() {
				ok, err := tryResume(xs, a)
				if err != nil {
					return 0, nil, err
				}
				if ok {
					if j, err := jid.Parse(a.jid); err == nil {
						xs.UpdateAddr(j)
					}
					return xmpp.Ready, nil, nil
				}
			}
			j, err := bindResource(xs, s.cfg.Resource, s.lang)
			if err != nil {
				return 0, nil, err
			}
			a.jid = j.String()
			xs.UpdateAddr(j)
			return xmpp.Ready, nil, nil
		},
	}
}

// readElement reads the next element from the stream during negotiation.
func readElement(xs *xmpp.Session, v interface{}) (xml.StartElement, error) {
	r := xs.TokenReader()
	defer r.Close()
	d := xml.NewTokenDecoder(r)
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.StartElement{}, err
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if start.Name.Space == stream.NS && start.Name.Local == "error" {
			var se stream.Error
			if err := d.DecodeElement(&se, &start); err != nil {
				return start, err
			}
			return start, se
		}
		return start, d.DecodeElement(v, &start)
	}
}

func writeElement(xs *xmpp.Session, e *el) error {
	w := xs.TokenWriter()
	defer w.Close()
	if err := e.encode(w); err != nil {
		return err
	}
	return w.Flush()
}

func tryResume(xs *xmpp.Session, a *attempt) (bool, error) {
	err := writeElement(xs, elem(nsSM, "resume", "previd", a.resume.id, "h", strconv.FormatUint(uint64(a.resume.inH), 10)))
	if err != nil {
		return false, err
	}
	var reply struct {
		H      string `xml:"h,attr"`
		PrevID string `xml:"previd,attr"`
		Text   string `xml:"text"`
		Any    []struct {
			XMLName xml.Name
		} `xml:",any"`
	}
	start, err := readElement(xs, &reply)
	if err != nil {
		return false, err
	}
	switch {
	case start.Name.Space == nsSM && start.Name.Local == "resumed":
		h, err := strconv.ParseUint(reply.H, 10, 32)
		if err != nil {
			return false, fmt.Errorf("server resumed the stream with a bad h %q", reply.H)
		}
		a.resumed, a.resumedH, a.jid = true, uint32(h), a.resume.jid
		return true, nil
	case start.Name.Space == nsSM && start.Name.Local == "failed":
		a.resumeErr = "the server could not resume the stream"
		for _, c := range reply.Any {
			if c.XMLName.Local != "text" {
				a.resumeErr += " (" + c.XMLName.Local + ")"
				break
			}
		}
		if h, err := strconv.ParseUint(reply.H, 10, 32); err == nil {
			h32 := uint32(h)
			a.failedH = &h32
		}
		return false, nil
	}
	return false, fmt.Errorf("unexpected <%s/> in answer to <resume/>", start.Name.Local)
}

func bindResource(xs *xmpp.Session, resource string, l l10n.Lang) (jid.JID, error) {
	b := elem(nsBind, "bind")
	if resource != "" {
		b.add(child("resource", resource))
	}
	id := randomID()
	if err := writeElement(xs, iq("set", id, "", b)); err != nil {
		return jid.JID{}, err
	}
	var reply struct {
		Type string `xml:"type,attr"`
		ID   string `xml:"id,attr"`
		Bind struct {
			JID string `xml:"jid"`
		} `xml:"urn:ietf:params:xml:ns:xmpp-bind bind"`
		Error *stanzaError `xml:"error"`
	}
	start, err := readElement(xs, &reply)
	if err != nil {
		return jid.JID{}, err
	}
	if start.Name.Local != "iq" || reply.ID != id {
		return jid.JID{}, fmt.Errorf("unexpected <%s/> in answer to resource binding", start.Name.Local)
	}
	if reply.Type != "result" {
		return jid.JID{}, &failure{code: event.CodeProtocol, msg: l.T("the server refused to bind a resource: {{.Err}}", l10n.Args{"Err": reply.Error.String()})}
	}
	return jid.Parse(reply.Bind.JID)
}

// serverAddr picks the address to dial: the configured one, else the DNS
// SRV record, else the domain on the standard port.
func (s *Session) serverAddr(ctx context.Context) string {
	if a, ok := s.torServerAddr(); ok {
		return a // through Tor: no lookup here, Tor resolves the name
	}
	if s.cfg.Server != "" {
		return s.cfg.Server
	}
	domain := s.bare.Domainpart()
	service, port := "xmpp-client", "5222"
	if s.cfg.DirectTLS {
		service, port = "xmpps-client", "5223"
	}
	_, addrs, err := s.resolver().LookupSRV(ctx, service, "tcp", domain)
	if err == nil && len(addrs) > 0 && addrs[0].Target != "." {
		return net.JoinHostPort(strings.TrimSuffix(addrs[0].Target, "."), strconv.Itoa(int(addrs[0].Port)))
	}
	return net.JoinHostPort(domain, port)
}

// dial opens and negotiates one connection. It returns the live stream and
// what the attempt learned; errors are *failure.
func (s *Session) dial(ctx context.Context, addr string, a *attempt) (*xmpp.Session, net.Conn, error) {
	password, err := s.cfg.Password()
	if err != nil {
		return nil, nil, &failure{code: event.CodeNoKeyring, fatal: true, err: err,
			msg: s.lang.T("Palisade could not get the account's password: {{.Err}}", l10n.Args{"Err": err.Error()})}
	}
	raw, err := s.dialServer(ctx, addr) // direct or through Tor (tor.go)
	if err != nil {
		return nil, nil, err
	}
	// Every byte from the server is counted: no stanza (nor the stream
	// negotiation) may run past maxStanzaBytes (limits.go).
	lc := newLimitConn(raw)
	raw = lc
	tlsCfg := s.tlsConfig(a)
	var rw net.Conn = raw
	var features []xmpp.StreamFeature
	if s.cfg.DirectTLS {
		tc := tls.Client(raw, tlsCfg)
		hctx, cancel := context.WithTimeout(ctx, negotiateTimeout)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			raw.Close()
			return nil, nil, s.classify(err, a)
		}
		rw = tc
	} else {
		features = append(features, s.startTLSFeature(tlsCfg, a))
	}
	features = append(features, s.saslFeature(password, a), s.bindFeature(a))
	password = ""
	neg := xmpp.NewNegotiator(func(*xmpp.Session, *xmpp.StreamConfig) xmpp.StreamConfig {
		return xmpp.StreamConfig{Features: features}
	})
	nctx, cancel := context.WithTimeout(ctx, negotiateTimeout)
	defer cancel()
	origin := s.bare
	xs, err := xmpp.NewSession(nctx, s.bare.Domain(), origin, rw, 0, neg)
	features = nil
	if err != nil {
		raw.Close()
		return nil, nil, s.classify(err, a)
	}
	if xs.State()&xmpp.Secure == 0 || xs.ConnectionState().Version == 0 {
		raw.Close()
		return nil, nil, noTLS(s.lang, nil)
	}
	raw.SetDeadline(time.Time{})
	lc.mark()
	return xs, raw, nil
}

func noTLS(l l10n.Lang, err error) *failure {
	return &failure{code: event.CodeNoTLS, fatal: true, err: err,
		msg: l.T("The server does not offer an encrypted (TLS) connection. Palisade never signs in without encryption: ask your administrator to enable TLS on the XMPP server.")}
}

// saslCondition extracts the condition and text of a SASL <failure/> from
// mellium's (internal) error type.
func saslCondition(err error) (cond, text string, ok bool) {
	v := reflect.ValueOf(err)
	if v.Kind() != reflect.Struct || !strings.HasSuffix(v.Type().PkgPath(), "internal/saslerr") {
		return "", "", false
	}
	if c := v.FieldByName("Condition"); c.IsValid() && c.CanInterface() {
		cond = fmt.Sprint(c.Interface())
	}
	if t := v.FieldByName("Text"); t.IsValid() && t.Kind() == reflect.String {
		text = t.String()
	}
	return cond, text, true
}

// classify turns a connection error into a failure the user can act on.
func (s *Session) classify(err error, a *attempt) *failure {
	var f *failure
	if errors.As(err, &f) {
		return f
	}
	a.mu.Lock()
	tlsErr, mech, offered, tlsStarted, tlsAsked := a.tlsErr, a.mechanism, a.offered, a.tlsStarted, a.tlsAsked
	a.mu.Unlock()
	var netErr net.Error
	if tlsAsked && !tlsStarted && tlsErr == nil && !errors.As(err, &netErr) && !errors.Is(err, syscall.ECONNRESET) {
		// The server answered <starttls/> with a failure, a stream error
		// or by hanging up: TLS did not start, and Palisade never goes on
		// without it nor retries. (A broken network there is retried like
		// any other; nothing is ever sent before TLS either way.)
		return noTLS(s.lang, err)
	}
	if tlsErr != nil {
		if errors.As(tlsErr, &f) {
			if f.say != nil {
				l := *f
				l.msg, l.say = f.say(s.lang), nil
				return &l
			}
			return f
		}
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		// Direct TLS to a port that does not speak TLS.
		return noTLS(s.lang, err)
	}
	var se stream.Error
	if errors.As(err, &se) {
		switch se.Err {
		case "conflict":
			return &failure{code: event.CodeConflict, fatal: true, err: err,
				msg: s.lang.T("Another session signed in with this account and resource and replaced this one.")}
		}
		if !tlsStarted {
			// The server ended the stream in answer to <starttls/>
			// (Prosody without TLS says unsupported-stanza-type).
			return noTLS(s.lang, err)
		}
		return &failure{code: event.CodeProtocol, err: err, msg: s.lang.T("The server closed the stream: {{.Err}}", l10n.Args{"Err": se.Error()})}
	}
	if cond, text, ok := saslCondition(err); ok {
		if strings.Contains(strings.ToLower(text), "channel binding") {
			return &failure{code: event.CodeAuth, fatal: true, err: err,
				msg: s.lang.T("The server rejected the channel binding of {{.Mechanism}} ({{.Text}}) on {{.TLS}}. Palisade does not fall back to authentication without channel binding. Some servers (ejabberd before 23.04) only support tls-unique binding, which needs TLS 1.2: enable \"channel binding over TLS 1.2\" for this account, or upgrade the server.",
					l10n.Args{"Mechanism": mech, "Text": strconv.Quote(text), "TLS": tlsName(a)})}
		}
		switch cond {
		case "not-authorized", "account-disabled", "credentials-expired", "invalid-authzid":
			args := l10n.Args{"Account": s.bare.String(), "Text": text}
			var msg string
			switch {
			case cond == "account-disabled" && text != "":
				msg = s.lang.T("The account {{.Account}} is disabled on the server. ({{.Text}})", args)
			case cond == "account-disabled":
				msg = s.lang.T("The account {{.Account}} is disabled on the server.", args)
			case text != "" && cond != "not-authorized":
				msg = s.lang.T("Wrong password or unknown account for {{.Account}}. ({{.Text}})", args)
			default:
				msg = s.lang.T("Wrong password or unknown account for {{.Account}}.", args)
			}
			return &failure{code: event.CodeAuth, fatal: true, err: err, msg: msg}
		}
		if text == "" {
			text = cond
		}
		return &failure{code: event.CodeAuth, fatal: true, err: err, msg: s.lang.T("Sign-in failed: {{.Reason}}", l10n.Args{"Reason": text})}
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "features advertised out of order"),
		strings.Contains(msg, "receiver indicated that TLS negotiation failed"),
		strings.Contains(msg, "unknown namespace during TLS negotiation"):
		return noTLS(s.lang, err)
	case strings.Contains(msg, "no matching SASL mechanisms") && s.security() != (profile.Security{}):
		sec := s.security()
		var need string
		min := l10n.Args{"Min": sec.MinSASL}
		switch {
		case sec.MinSASL == "" && sec.RequireChannelBinding:
			need = s.lang.T("SCRAM with channel binding (-PLUS)")
		case sec.MinSASL == "":
			need = "SCRAM"
		case sec.RequireChannelBinding:
			need = s.lang.T("at least {{.Min}} with channel binding (-PLUS)", min)
		default:
			need = s.lang.T("at least {{.Min}}", min)
		}
		return &failure{code: event.CodeAuth, fatal: true, err: err,
			msg: s.lang.T("Your organisation's profile requires signing in with {{.Need}}; the server offers {{.Offered}}. Palisade did not sign in: ask your administrator.",
				l10n.Args{"Need": need, "Offered": strings.Join(offered, ", ")})}
	case strings.Contains(msg, "no matching SASL mechanisms"):
		return &failure{code: event.CodeAuth, fatal: true, err: err,
			msg: s.lang.T("The server offers no SCRAM sign-in (it offers {{.Offered}}). Palisade never sends the password itself (PLAIN).",
				l10n.Args{"Offered": strings.Join(offered, ", ")})}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded) {
		if !tlsStarted && errors.Is(err, io.EOF) {
			// The server hung up on STARTTLS.
			return noTLS(s.lang, err)
		}
		return &failure{code: event.CodeNetwork, err: err, msg: s.lang.T("Connection lost: {{.Err}}", l10n.Args{"Err": s.errText(err)})}
	}
	return &failure{code: event.CodeProtocol, err: err, msg: s.lang.T("Connection failed: {{.Err}}", l10n.Args{"Err": s.errText(err)})}
}

func tlsName(a *attempt) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return tls.VersionName(a.tlsVersion)
}

// errText is an error's text for the user: the session's own errors in
// the user's language, any other as it is.
func (s *Session) errText(err error) string {
	switch {
	case err == errClosed:
		return s.lang.T("the server closed the stream")
	case err == errNoEnable:
		return s.lang.T("the server did not answer <enable/>")
	}
	return err.Error()
}
