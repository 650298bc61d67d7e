package session

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/filesafe"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/policy"
	"github.com/palisade-im/palisade/scan"
)

// Files: sending through XEP-0363 HTTP File Upload, receiving links sent
// as XEP-0066 out-of-band data (or as a body that is a single https URL),
// quarantine and the virus scan. See the package documentation.

const (
	quarantineDir = "quarantine"

	// progressStep and progressEvery throttle file_progress events.
	progressStep  = 5 // percent
	progressEvery = 250 * time.Millisecond

	// maxOffers bounds the offers kept for download_file.
	maxOffers = 1000
)

// Transfer states.
const (
	stateOffered     = iota // offered by a peer, not fetched (yet)
	stateRunning            // an upload or a download in progress
	stateQuarantined        // downloaded, waiting for a scan (RetryScan)
)

// transfer is one upload, offer or download, by id.
type transfer struct {
	id     string
	up     bool   // an upload (peer is the recipient)
	peer   string // recipient or sender, as on the wire
	name   string // safe name (for downloads) or base name (uploads)
	url    *url.URL
	size   int64 // -1 when unknown
	trust  event.Trust
	state  int
	cancel context.CancelFunc
	qpath  string // the quarantined file
}

// fileState is the session's share of file transfers.
type fileState struct {
	mu        sync.Mutex
	transfers map[string]*transfer
	svc       *uploadService // discovered upload service, for svcConn
	svcConn   *conn
	ownHosts  map[string]bool // hosts of our own upload service's URLs
	probed    *conn           // the connection on which ownHosts were probed
	client    *http.Client
	scanner   *scan.Client

	// via, when set (tests only), is the address own upload hosts are
	// dialled at instead of the configured server's host.
	via string
}

// uploadService is the account server's XEP-0363 service.
type uploadService struct {
	jid string
	max int64 // 0 when not announced
}

// fileError is a transfer failure for file_rejected.
type fileError struct {
	code string
	msg  string
}

func (e *fileError) Error() string { return e.msg }

func ferr(code, format string, a ...any) *fileError {
	return &fileError{code: code, msg: fmt.Sprintf(format, a...)}
}

// fileErr is a transfer failure with its sentence for the user, already in
// the user's language.
func fileErr(code, msg string) *fileError {
	return &fileError{code: code, msg: msg}
}

func (s *Session) initFiles() {
	f := &s.files
	f.transfers = map[string]*transfer{}
	f.ownHosts = map[string]bool{}
	for _, h := range s.cfg.UploadHosts {
		f.ownHosts[normHost(h)] = true
	}
	f.scanner = &scan.Client{Socket: s.cfg.ClamdSocket, Lang: s.lang}
	tr := &http.Transport{
		Proxy:                 nil, // files go straight to the server (no environment proxies)
		DialContext:           s.dialHTTP,
		TLSClientConfig:       s.httpTLSConfig(),
		TLSHandshakeTimeout:   dialTimeout,
		ResponseHeaderTimeout: time.Minute,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       time.Minute,
		ForceAttemptHTTP2:     true,
	}
	f.client = &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return fileErr(event.FileHTTP, s.lang.T("The file server redirected too many times."))
			}
			if _, err := filesafe.CheckURLIn(s.lang, req.URL.String(), s.ownUploadHost); err != nil {
				return fileErr(event.FileBadURL, s.lang.T("The file server redirected to a link that is not downloaded: {{.Err}}", l10n.Args{"Err": err.Error()}))
			}
			return nil
		},
	}
	s.pol.upload = s.upload
}

func normHost(h string) string { return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".") }

// serverHost is the host of the configured server address, "" when the
// server is found through DNS.
func (s *Session) serverHost() string {
	if s.cfg.Server == "" {
		return ""
	}
	h, _, err := net.SplitHostPort(s.cfg.Server)
	if err != nil {
		return s.cfg.Server
	}
	return h
}

// ownUploadHost reports whether host belongs to the account's own upload
// service: configured (Config.UploadHosts) or learned from a slot our server
// handed out. The configured server's address itself is not trusted this
// way: a link to another port on that machine stays refused when the
// address is private.
func (s *Session) ownUploadHost(host string) bool {
	s.files.mu.Lock()
	defer s.files.mu.Unlock()
	return s.files.ownHosts[normHost(host)]
}

func (s *Session) learnUploadHost(u *url.URL) {
	s.files.mu.Lock()
	s.files.ownHosts[filesafe.Host(u)] = true
	s.files.mu.Unlock()
}

// dialHTTP dials for the file transport. The own upload host is dialled at
// the configured server's address (it often has no DNS entry of its own,
// and may sit on a private network); any other host is resolved and
// refused when an address is local or private, so that a link from a peer
// cannot reach into the user's network.
func (s *Session) dialHTTP(ctx context.Context, network, addr string) (net.Conn, error) {
	if on, _ := s.torOn(); on {
		return s.dialHTTPTor(ctx, network, addr) // tor.go
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	if s.ownUploadHost(host) {
		if s.files.via != "" {
			return d.DialContext(ctx, network, s.files.via)
		}
		if sh := s.serverHost(); sh != "" {
			return d.DialContext(ctx, network, net.JoinHostPort(sh, port))
		}
		return d.DialContext(ctx, network, addr)
	}
	ips, err := s.resolver().LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	for _, ip := range ips {
		if filesafe.Private(ip) {
			return nil, fileErr(event.FileBadURL, s.lang.T("The file link's server {{.Host}} resolves to a local or private address ({{.IP}}); it is not contacted.", l10n.Args{"Host": host, "IP": ip.String()}))
		}
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("no address for %s", host)
	}
	var last error
	for _, ip := range ips {
		c, err := d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return c, nil
		}
		last = err
	}
	return nil, last
}

// httpTLSConfig verifies the file server against the URL's host name, with
// the same trusted roots as the XMPP connection: the system's,
// Config.CAFile, and the server CAs of the profile in force.
func (s *Session) httpTLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // verified in VerifyConnection
		VerifyConnection: func(cs tls.ConnectionState) error {
			err := verifyChain(cs, s.roots, cs.ServerName)
			if err == nil {
				return nil
			}
			if s.cfg.Profiles != nil {
				if p := s.cfg.Profiles.Active(); p != nil {
					if pool, perr := p.ServerCAs(); perr == nil && pool != nil && verifyChain(cs, pool, cs.ServerName) == nil {
						return nil
					}
				}
			}
			var leaf *x509.Certificate
			if len(cs.PeerCertificates) > 0 {
				leaf = cs.PeerCertificates[0]
			}
			ci := certInfo(leaf)
			cause := err.Error()
			var f *failure
			if errors.As(err, &f) {
				if f.err != nil {
					cause = f.err.Error()
				} else {
					cause = f.in(s.lang)
				}
			}
			return fileErr(event.FileTLSUntrusted, s.lang.T("The certificate of the file server {{.Host}} is not trusted ({{.Err}}). Subject: {{.Subject}}; issuer: {{.Issuer}}; SHA-256 fingerprint: {{.Fingerprint}}. Nothing was transferred. If your company uses its own certificate authority, add its certificate to the account (CA file).",
				l10n.Args{"Host": cs.ServerName, "Err": cause, "Subject": ci.Subject, "Issuer": ci.Issuer, "Fingerprint": ci.SHA256}))
		},
	}
}

// transferError turns an HTTP transfer error into a file error: of the
// upload (name "") or of the download of the file name.
func (s *Session) transferError(ctx context.Context, err error, name string) *fileError {
	var fe *fileError
	if errors.As(err, &fe) {
		return fe
	}
	a := l10n.Args{"Name": name}
	if errors.Is(ctx.Err(), context.Canceled) {
		if name == "" {
			return fileErr(event.FileCancelled, s.lang.T("The upload was cancelled."))
		}
		return fileErr(event.FileCancelled, s.lang.T("The download of {{.Name}} was cancelled.", a))
	}
	a["Err"] = unwrapURL(err).Error()
	if name == "" {
		return fileErr(event.FileInterrupted, s.lang.T("The upload was interrupted ({{.Err}}).", a))
	}
	return fileErr(event.FileInterrupted, s.lang.T("The download of {{.Name}} was interrupted ({{.Err}}).", a))
}

func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// query sends an IQ and waits for the answer from its addressee.
func (s *Session) query(ctx context.Context, typ, to string, payload *el) (*inStanza, error) {
	ch := make(chan *inStanza, 1)
	id := randomID()
	s.mu.Lock()
	cur := s.cur
	if cur == nil {
		s.mu.Unlock()
		return nil, fileErr(event.FileInterrupted, s.lang.T("Not connected: try again when the connection is back."))
	}
	err := s.sendIQ(cur, iq(typ, id, to, payload), func(st *inStanza) { ch <- st })
	s.mu.Unlock()
	if err != nil {
		return nil, fileErr(event.FileInterrupted, s.lang.T("The connection failed: {{.Err}}", l10n.Args{"Err": err.Error()}))
	}
	drop := func() {
		s.iqMu.Lock()
		delete(s.iqs, id)
		s.iqMu.Unlock()
	}
	t := time.NewTimer(replyTimeout)
	defer t.Stop()
	select {
	case st := <-ch:
		if from := peerOf(st.From); st.From != "" && !strings.EqualFold(from, peerOf(to)) && !strings.EqualFold(st.From, to) {
			return nil, fileErr(event.CodeProtocol, s.lang.T("An answer came from {{.From}} instead of {{.To}}.", l10n.Args{"From": st.From, "To": to}))
		}
		return st, nil
	case <-cur.done:
		drop()
		return nil, fileErr(event.FileInterrupted, s.lang.T("The connection was lost."))
	case <-t.C:
		drop()
		return nil, fileErr(event.FileInterrupted, s.lang.T("{{.To}} did not answer in time.", l10n.Args{"To": to}))
	case <-ctx.Done():
		drop()
		return nil, fileErr(event.FileCancelled, s.lang.T("Cancelled."))
	}
}

// register adds a transfer; false when the id is taken.
func (s *Session) register(t *transfer) bool {
	s.files.mu.Lock()
	defer s.files.mu.Unlock()
	if _, ok := s.files.transfers[t.id]; ok {
		return false
	}
	if len(s.files.transfers) >= maxOffers {
		for id, o := range s.files.transfers {
			if o.state == stateOffered {
				delete(s.files.transfers, id)
				break
			}
		}
	}
	s.files.transfers[t.id] = t
	return true
}

func (s *Session) unregister(id string) {
	s.files.mu.Lock()
	delete(s.files.transfers, id)
	s.files.mu.Unlock()
}

func (s *Session) lookup(id string) *transfer {
	s.files.mu.Lock()
	defer s.files.mu.Unlock()
	return s.files.transfers[id]
}

// executeFiles runs the file commands. It reports false for a command it
// does not know.
func (s *Session) executeFiles(cmd event.Command) bool {
	switch c := cmd.(type) {
	case *event.CancelFile:
		s.cancelFile(*c)
	case event.CancelFile:
		s.cancelFile(c)
	case *event.DownloadFile:
		s.downloadFile(*c)
	case event.DownloadFile:
		s.downloadFile(c)
	case *event.RetryScan:
		s.retryScan(*c)
	case event.RetryScan:
		s.retryScan(c)
	default:
		return false
	}
	return true
}

func (s *Session) cancelFile(c event.CancelFile) {
	s.files.mu.Lock()
	t := s.files.transfers[c.ID]
	var cancel context.CancelFunc
	var qpath string
	state := -1
	if t != nil {
		state = t.state
		switch t.state {
		case stateRunning:
			cancel = t.cancel
		case stateOffered, stateQuarantined:
			qpath = t.qpath
			delete(s.files.transfers, c.ID)
		}
	}
	s.files.mu.Unlock()
	switch {
	case t == nil:
		s.badCommand(c, s.lang.T("No file transfer {{.ID}} is in progress or waiting.", l10n.Args{"ID": c.ID}))
	case state == stateRunning:
		cancel() // the transfer reports file_rejected (cancelled)
	case state == stateQuarantined:
		os.Remove(qpath)
		s.emit(event.FileRejected{ID: t.id, From: t.peer, Name: t.name, Code: event.FileCancelled,
			Reason: s.lang.T("The unscanned file {{.Name}} was deleted from quarantine.", l10n.Args{"Name": t.name})})
	default:
		s.emit(event.FileRejected{ID: t.id, From: t.peer, Name: t.name, Code: event.FileCancelled,
			Reason: s.lang.T("The file {{.Name}} was not downloaded.", l10n.Args{"Name": t.name})})
	}
}

// maxReceiveSize is the policy's file size limit.
func (s *Session) maxReceiveSize() int64 {
	if e := s.engine(); e != nil {
		if m := e.Rules().Files.MaxSize; m > 0 {
			return m
		}
	}
	return policy.DefaultMaxFileSize
}

// scannerUnavailable is what the profile says to do when the scanner is
// unavailable: "allow" hands the file over unscanned; anything else keeps it
// in quarantine (the default).
func (s *Session) scannerUnavailable() string {
	if s.cfg.Profiles != nil {
		if p := s.cfg.Profiles.Active(); p != nil && p.Files.ScannerUnavailable == "allow" {
			return "allow"
		}
	}
	return "refuse"
}

// progress throttles progress events for one transfer.
type progress struct {
	s        *Session
	ev       event.FileProgress
	lastPct  int64
	lastTime time.Time
}

func (p *progress) add(n int64) {
	p.ev.Bytes += n
	now := time.Now()
	pct := int64(-1)
	if p.ev.Total > 0 {
		pct = p.ev.Bytes * 100 / p.ev.Total
	}
	if (pct >= 0 && pct >= p.lastPct+progressStep) || now.Sub(p.lastTime) >= progressEvery || (p.ev.Total > 0 && p.ev.Bytes == p.ev.Total) {
		if pct >= 0 {
			p.lastPct = pct
		}
		p.lastTime = now
		p.s.emit(p.ev)
	}
}

// humanSize writes a size for people: 16 MiB, 1.5 KiB, 12 bytes.
func humanSize(n int64) string { return humanSizeIn(l10n.English, n) }

// humanSizeIn writes a size for people in the language l (1,5 Kio in
// French).
func humanSizeIn(l l10n.Lang, n int64) string {
	num := func(f float64) l10n.Args {
		v := trimZero(f)
		if l10n.Norm(string(l)) == l10n.French {
			v = strings.Replace(v, ".", ",", 1)
		}
		return l10n.Args{"N": v}
	}
	switch {
	case n >= 1<<30:
		return l.T("{{.N}} GiB", num(float64(n)/(1<<30)))
	case n >= 1<<20:
		return l.T("{{.N}} MiB", num(float64(n)/(1<<20)))
	case n >= 1<<10:
		return l.T("{{.N}} KiB", num(float64(n)/(1<<10)))
	}
	return l.T("{{.N}} bytes", l10n.Args{"N": n})
}

// size writes a size for the user.
func (s *Session) size(n int64) string { return humanSizeIn(s.lang, n) }

func trimZero(f float64) string {
	s := fmt.Sprintf("%.1f", f)
	return strings.TrimSuffix(s, ".0")
}
