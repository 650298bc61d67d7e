package scan

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/palisade-im/palisade/l10n"
)

// The details of an error are in the client's language; ErrUnavailable
// is still wrapped, and English is unchanged.
func TestErrorsInFrench(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "none.sock")
	for _, tt := range []struct {
		lang l10n.Lang
		scan string // the error of a scan without a scanner
		ans  string // of an answer clamd never gives
	}{
		{"", "the virus scanner is unavailable: cannot reach clamd at " + sock + " (connect: no such file or directory)",
			`the virus scanner is unavailable: clamd gave an unexpected answer "stream: maybe"`},
		{l10n.French, "the virus scanner is unavailable: clamd est injoignable à l’adresse " + sock + " (connect: no such file or directory)",
			"the virus scanner is unavailable: clamd a donné une réponse inattendue \"stream: maybe\""},
	} {
		c := &Client{Socket: sock, Timeout: time.Second, Lang: tt.lang}
		_, err := c.Scan(context.Background(), strings.NewReader("x"))
		if !errors.Is(err, ErrUnavailable) || err.Error() != tt.scan {
			t.Errorf("%q: scan error %q, want %q", tt.lang, err, tt.scan)
		}
		_, err = parseIn(tt.lang, "stream: maybe")
		if !errors.Is(err, ErrUnavailable) || err.Error() != tt.ans {
			t.Errorf("%q: answer error %q, want %q", tt.lang, err, tt.ans)
		}
	}
}
