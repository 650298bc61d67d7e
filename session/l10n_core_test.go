package session

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"mellium.im/xmpp/jid"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/l10n"
)

// selfSigned is a certificate no root vouches for.
func selfSigned(t *testing.T) *x509.Certificate {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "acme.test", Organization: []string{"Rogue"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		DNSNames:     []string{"acme.test"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The connection's sentences for the user, in English (unchanged) and in
// French.
func TestConnectionSentencesInFrench(t *testing.T) {
	leaf := selfSigned(t)
	ci := certInfo(leaf)
	untrusted := func(s *Session) string {
		terr := verifyChain(tls.ConnectionState{PeerCertificates: []*x509.Certificate{leaf}}, x509.NewCertPool(), "acme.test")
		f := s.classify(errors.New("remote error: tls: bad certificate"), &attempt{tlsErr: terr, tlsStarted: true})
		return f.msg
	}
	tests := []struct {
		name   string
		say    func(*Session) string
		en, fr string
	}{
		{"no TLS", func(s *Session) string {
			return s.classify(errors.New("xmpp: features advertised out of order"), &attempt{}).msg
		},
			"The server does not offer an encrypted (TLS) connection. Palisade never signs in without encryption: ask your administrator to enable TLS on the XMPP server.",
			"Le serveur ne propose pas de connexion chiffrée (TLS). Palisade ne se connecte jamais sans chiffrement\u00a0: demandez à votre administrateur d’activer TLS sur le serveur XMPP."},
		{"untrusted certificate", untrusted,
			fmt.Sprintf("The server's certificate is not trusted (x509: certificate signed by unknown authority). Subject: %s; issuer: %s; SHA-256 fingerprint: %s. "+
				"Palisade refused to connect. If your company uses its own certificate authority, add its certificate to the account (CA file).", ci.Subject, ci.Issuer, ci.SHA256),
			fmt.Sprintf("Le certificat du serveur n’est pas reconnu comme fiable (x509: certificate signed by unknown authority). Sujet\u00a0: %s\u202f; émetteur\u00a0: %s\u202f; empreinte SHA-256\u00a0: %s. "+
				"Palisade a refusé de se connecter. Si votre entreprise utilise sa propre autorité de certification, ajoutez son certificat au compte (fichier du certificat d’autorité).", ci.Subject, ci.Issuer, ci.SHA256)},
		{"no SCRAM", func(s *Session) string {
			return s.classify(errors.New("xmpp: no matching SASL mechanisms found"), &attempt{tlsStarted: true, offered: []string{"PLAIN", "X-OAUTH2"}}).msg
		},
			"The server offers no SCRAM sign-in (it offers PLAIN, X-OAUTH2). Palisade never sends the password itself (PLAIN).",
			"Le serveur ne propose pas de connexion SCRAM (il propose PLAIN, X-OAUTH2). Palisade n’envoie jamais le mot de passe lui-même (PLAIN)."},
		{"closed", func(s *Session) string { return s.classify(errClosed, &attempt{tlsStarted: true}).msg },
			"Connection failed: the server closed the stream",
			"Échec de la connexion\u00a0: le serveur a fermé le flux"},
		{"network", func(s *Session) string {
			return s.classify(&net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset")}, &attempt{tlsStarted: true}).msg
		},
			"Connection lost: read tcp: connection reset",
			"Connexion perdue\u00a0: read tcp: connection reset"},
		{"offline command", func(s *Session) string {
			queued(s)
			s.execute(event.AddContact{JID: "bob@acme.test"})
			e := only[event.Error](queued(s))
			if len(e) != 1 {
				return fmt.Sprintf("%d errors", len(e))
			}
			return e[0].Message
		},
			"Not connected: try again when the connection is back.",
			"Non connecté\u00a0: réessayez quand la connexion sera rétablie."},
	}
	command := func(c event.Command) func(*Session) string {
		return func(s *Session) string {
			queued(s)
			s.execute(c)
			e := only[event.Error](queued(s))
			if len(e) != 1 {
				return fmt.Sprintf("%d errors", len(e))
			}
			return e[0].Message
		}
	}
	tests = append(tests, []struct {
		name   string
		say    func(*Session) string
		en, fr string
	}{
		{"block own domain", command(event.Block{JID: "acme.test"}),
			"You cannot block your own account or your own domain.",
			"Vous ne pouvez pas bloquer votre propre compte ni votre propre domaine."},
		{"unknown presence", command(event.SetPresence{Show: "busy"}),
			"Unknown presence busy: use available, chat, away, xa or dnd.",
			"Présence inconnue busy\u00a0: utilisez available, chat, away, xa ou dnd."},
		{"no archive", command(event.Search{Query: "budget"}),
			"The local archive is off: there is no stored history to search, show or export.",
			"L’archive locale est désactivée\u00a0: il n’y a aucun historique conservé à rechercher, afficher ou exporter."},
		{"bad room", command(event.SetBookmark{Room: "not a room"}),
			"Not a valid room address: not a room (expected room@conference.example.com).",
			"Adresse de salon non valide\u00a0: not a room (forme attendue\u00a0: salon@conference.example.com)."},
	}...)
	for _, tt := range tests {
		for _, lang := range []l10n.Lang{"", l10n.French} {
			s := offlineSession(t, "", nil)
			s.lang = lang
			want := tt.en
			if lang == l10n.French {
				want = tt.fr
			}
			if got := tt.say(s); got != want {
				t.Errorf("%s (%q):\n got %q\nwant %q", tt.name, lang, got, want)
			}
		}
	}
}

// A refused download says why in the user's language; sizes read as
// French sizes (a decimal comma, Kio, octets).
func TestFileSentencesInFrench(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/big/big.bin", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5000")
		w.Write([]byte(strings.Repeat("y", 5000)))
	})
	mux.HandleFunc("/missing/gone.pdf", http.NotFound)
	srv := httptest.NewTLSServer(mux)
	defer srv.Close()
	tests := []struct {
		path   string
		code   string
		en, fr string
	}{
		{"/big/big.bin", event.FileTooLarge,
			"big.bin is 4.9 KiB, more than the 1000 bytes the policy allows for received files; nothing was downloaded.",
			"big.bin fait 4,9\u00a0Kio, plus que les 1000\u00a0octets que la politique autorise pour les fichiers reçus\u202f; rien n’a été téléchargé."},
		{"/missing/gone.pdf", event.FileHTTP,
			"The file server answered 404 Not Found for gone.pdf; nothing was downloaded.",
			"Le serveur de fichiers a répondu 404 Not Found pour gone.pdf\u202f; rien n’a été téléchargé."},
	}
	for _, tt := range tests {
		for _, lang := range []l10n.Lang{"", l10n.French} {
			s := fileSession(t, srv, true, 1000)
			s.lang = lang
			offerFrom(s, "bob@acme.test/pc", srv.URL+tt.path)
			e := waitQueued(t, s, "file_rejected", isA[event.FileRejected]).(event.FileRejected)
			want := tt.en
			if lang == l10n.French {
				want = tt.fr
			}
			if e.Code != tt.code || e.Reason != want {
				t.Errorf("%s (%q): %s %q, want %s %q", tt.path, lang, e.Code, e.Reason, tt.code, want)
			}
		}
	}
	// Without a scanner, the file waits in quarantine; the French note
	// says why, with clamd's details in French too.
	mux.HandleFunc("/ok/report.pdf", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("minutes")) })
	fs := fileSession(t, srv, true, 1000)
	fs.lang = l10n.French
	fs.initFiles() // the scanner writes in the session's language
	offerFrom(fs, "bob@acme.test/pc", srv.URL+"/ok/report.pdf")
	got := waitQueued(t, fs, "file_received", isA[event.FileReceived]).(event.FileReceived)
	want := "Non analysé par l’antivirus\u00a0: l’antivirus n’est pas disponible\u00a0: clamd est injoignable à l’adresse " + fs.cfg.ClamdSocket +
		" (connect: no such file or directory). Le fichier reste en quarantaine (" + got.Path + ") jusqu’à ce qu’une analyse le déclare sain\u202f; relancez l’analyse quand l’antivirus fonctionne."
	if got.Verdict != event.VerdictUnscanned || got.Scanner != want {
		t.Errorf("unscanned: %s %q\nwant %q", got.Verdict, got.Scanner, want)
	}

	// A link that is not https is refused, and the French sentence says
	// "n'a pas été téléchargé" as the window expects.
	s := fileSession(t, nil, false, 1000)
	s.lang = l10n.French
	offerFrom(s, "mallory@evil.test/x", "http://evil.test/x.pdf")
	rej := only[event.FileRejected](queued(s))
	if len(rej) != 1 || rej[0].Code != event.FileBadURL || !strings.HasPrefix(rej[0].Reason, "Le fichier du lien envoyé par mallory@evil.test n’a pas été téléchargé\u00a0: ") {
		t.Errorf("file_rejected %+v", rej)
	}
}

func TestHumanSizeIn(t *testing.T) {
	for _, tt := range []struct {
		n      int64
		en, fr string
	}{
		{12, "12 bytes", "12\u00a0octets"},
		{1536, "1.5 KiB", "1,5\u00a0Kio"},
		{16 << 20, "16 MiB", "16\u00a0Mio"},
		{5 << 29, "2.5 GiB", "2,5\u00a0Gio"},
	} {
		if got := humanSizeIn("", tt.n); got != tt.en {
			t.Errorf("English %d = %q, want %q", tt.n, got, tt.en)
		}
		if got := humanSizeIn(l10n.French, tt.n); got != tt.fr {
			t.Errorf("French %d = %q, want %q", tt.n, got, tt.fr)
		}
	}
	s := &Session{bare: jid.MustParse("alice@acme.test"), lang: l10n.French}
	if got := s.size(2048); got != "2\u00a0Kio" {
		t.Errorf("size = %q", got)
	}
}

// Over the real Prosody: a wrong password and an untrusted certificate are
// told in French to a French user.
func TestProsodySignInErrorsInFrench(t *testing.T) {
	srv := prosody(t)
	french := func(s *Session) { s.lang = l10n.French }
	r := startSessionWith(t, srv, "alice@acme.test", opts{password: "not-the-password"}, french)
	if d := r.fatal(); d.Code != event.CodeAuth || d.Message != "Mot de passe incorrect ou compte inconnu pour alice@acme.test." {
		t.Errorf("wrong password: Disconnected = %+v", d)
	}
	r = startSessionWith(t, srv, "alice@acme.test", opts{noCA: true}, french)
	d := r.fatal()
	if d.Code != event.CodeTLSUntrusted {
		t.Fatalf("untrusted: Disconnected = %+v", d)
	}
	for _, want := range []string{"Le certificat du serveur n’est pas reconnu comme fiable (", "Sujet\u00a0: CN=acme.test", "émetteur\u00a0: CN=Palisade Test CA", "empreinte SHA-256\u00a0: ", "Palisade a refusé de se connecter."} {
		if !strings.Contains(d.Message, want) {
			t.Errorf("untrusted: %q lacks %q", d.Message, want)
		}
	}
}
