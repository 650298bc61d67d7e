package testenv

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strings"

	"mellium.im/sasl"
	"mellium.im/xmpp"
	"mellium.im/xmpp/jid"
)

// TLSConfig returns a TLS configuration trusting only the server's local CA,
// for the given server name (a domain such as "acme.test").
func (s *Server) TLSConfig(serverName string) (*tls.Config, error) {
	if s.CAFile == "" {
		return nil, fmt.Errorf("testenv: %s server has no CA", s.Kind)
	}
	pem, err := os.ReadFile(s.CAFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("testenv: no certificate in %s", s.CAFile)
	}
	return &tls.Config{RootCAs: pool, ServerName: serverName, MinVersion: tls.VersionTLS12}, nil
}

// Dial logs in as bareJID (e.g. "bob@acme.test") over STARTTLS with SCRAM
// and binds a resource chosen by the server. It is a plain mellium session
// for tests that need a second party; the caller must Close it and, to get
// IQ responses, run Serve.
func (s *Server) Dial(ctx context.Context, bareJID, password string) (*xmpp.Session, error) {
	return s.DialVia(ctx, s.Addr, bareJID, password)
}

// DialVia is Dial through another address, such as a Proxy's.
func (s *Server) DialVia(ctx context.Context, addr, bareJID, password string) (*xmpp.Session, error) {
	j, err := jid.Parse(bareJID)
	if err != nil {
		return nil, err
	}
	cfg, err := s.TLSConfig(j.Domain().String())
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	sess, err := xmpp.NewClientSession(ctx, j, conn,
		xmpp.StartTLS(cfg),
		xmpp.SASL("", password, sasl.ScramSha256, sasl.ScramSha1),
		xmpp.BindResource(),
	)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("testenv: log in as %s on %s: %w", bareJID, s.Kind, err)
	}
	return sess, nil
}

func splitJID(bare string) (local, domain string, err error) {
	local, domain, ok := strings.Cut(bare, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "/") {
		return "", "", fmt.Errorf("testenv: %q is not a bare JID", bare)
	}
	return local, domain, nil
}
