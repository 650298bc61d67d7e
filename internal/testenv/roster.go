package testenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mellium.im/xmpp/jid"
	"mellium.im/xmpp/roster"
)

// RosterContact is one generated roster entry.
type RosterContact struct {
	JID    string
	Name   string
	Groups []string
}

// GenerateRoster returns n deterministic contacts: contactNNNN@partner.test
// (every third one on acme.test), named "Contact NNNN", spread over 20
// groups "Team 00".."Team 19"; every seventh contact is also in
// "Favourites" and every 50th has no group.
func GenerateRoster(n int) []RosterContact {
	out := make([]RosterContact, n)
	for i := range out {
		domain := "partner.test"
		if i%3 == 0 {
			domain = "acme.test"
		}
		c := RosterContact{
			JID:  fmt.Sprintf("contact%04d@%s", i, domain),
			Name: fmt.Sprintf("Contact %04d", i),
		}
		switch {
		case i%50 == 49:
		case i%7 == 0:
			c.Groups = []string{fmt.Sprintf("Team %02d", i%20), "Favourites"}
		default:
			c.Groups = []string{fmt.Sprintf("Team %02d", i%20)}
		}
		out[i] = c
	}
	return out
}

// PopulateRoster gives user (a bare JID) a roster of n generated contacts
// (see GenerateRoster), all with subscription "both", and returns them.
//
// On Prosody the roster file is written directly; it REPLACES the user's
// roster, and the user must not be logged in (Prosody caches the roster of
// online users and reads the file again at the next login). On ejabberd the
// contacts are added with concurrent calls to the administration API, then
// contacts in several groups are completed with XMPP roster sets; existing
// contacts are kept.
func PopulateRoster(tb testing.TB, s *Server, user string, n int) []RosterContact {
	tb.Helper()
	start := time.Now()
	contacts := GenerateRoster(n)
	if err := s.PopulateRoster(user, contacts); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("testenv: %d roster items for %s on %s in %v", n, user, s.Kind, time.Since(start).Round(time.Millisecond))
	return contacts
}

// PopulateRoster is the non-test form of the PopulateRoster function.
func (s *Server) PopulateRoster(user string, contacts []RosterContact) error {
	switch s.Kind {
	case "prosody", "prosody-plain":
		return s.writeProsodyRoster(user, contacts)
	case "ejabberd":
		return s.ejabberdRoster(user, contacts)
	default:
		return s.setRosterXMPP(user, contacts)
	}
}

// parallel runs f on every contact with the given number of workers and
// returns the first error.
func parallel(contacts []RosterContact, workers int, f func(RosterContact) error) error {
	work := make(chan RosterContact)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return firstErr != nil
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				if err := f(c); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, c := range contacts {
		if failed() {
			break
		}
		work <- c
	}
	close(work)
	wg.Wait()
	return firstErr
}

func (s *Server) ejabberdRoster(user string, contacts []RosterContact) error {
	t0 := time.Now()
	err := parallel(contacts, 8, func(c RosterContact) error {
		return s.ejabberdRosterItem(user, c.JID, c.Name, c.Groups, "both")
	})
	if err != nil {
		return err
	}
	debugf("ejabberd: %d roster items through the API in %v", len(contacts), time.Since(t0))
	var multi []RosterContact
	for _, c := range contacts {
		if len(c.Groups) > 1 {
			multi = append(multi, c)
		}
	}
	if len(multi) == 0 {
		return nil
	}
	return s.setRosterXMPP(user, multi)
}

// prosodyEncode encodes a host or user name like Prosody's datamanager:
// every non-alphanumeric byte becomes %xx.
func prosodyEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02x", c)
		}
	}
	return b.String()
}

func luaString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, "\\%03d", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func (s *Server) writeProsodyRoster(user string, contacts []RosterContact) error {
	local, domain, err := splitJID(user)
	if err != nil {
		return err
	}
	dir := filepath.Join(s.Dir, "data", prosodyEncode(domain), "roster")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "return {\n\t[false] = { version = %d; pending = {}; };\n", time.Now().UnixNano())
	for _, c := range contacts {
		fmt.Fprintf(&b, "\t[%s] = { subscription = \"both\"; name = %s; groups = {", luaString(c.JID), luaString(c.Name))
		for _, g := range c.Groups {
			fmt.Fprintf(&b, " [%s] = true;", luaString(g))
		}
		b.WriteString(" }; };\n")
	}
	b.WriteString("};\n")
	file := filepath.Join(dir, prosodyEncode(local)+".dat")
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

func (s *Server) setRosterXMPP(user string, contacts []RosterContact) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	sess, err := s.Dial(ctx, user, s.Password)
	if err != nil {
		return err
	}
	defer sess.Close()
	go sess.Serve(nil)

	return parallel(contacts, 64, func(c RosterContact) error {
		j, err := jid.Parse(c.JID)
		if err == nil {
			err = roster.Set(ctx, sess, roster.Item{JID: j, Name: c.Name, Group: c.Groups})
		}
		if err != nil {
			return fmt.Errorf("testenv: roster set %s: %w", c.JID, err)
		}
		return nil
	})
}
