package event

import (
	"strings"
	"testing"
)

// Any line read from headless mode's stdin is either a command or a clear
// error; never a panic, never a nil command without an error.
//
//	go test -run '^$' -fuzz '^FuzzParseCommand$' -fuzztime 10m ./event
func FuzzParseCommand(f *testing.F) {
	for _, name := range CommandNames() {
		f.Add([]byte(`{"cmd":"` + name + `"}`))
	}
	for _, s := range []string{
		`{"cmd":"send","to":"bob@acme.test","body":"hi","id":"1"}`,
		`{"cmd":"send","to":["x"],"body":{}}`,
		`{"cmd":"join_room","room":"r@conference.acme.test","nick":"` + strings.Repeat("n", 300) + `"}`,
		`{"cmd":null}`, `{"cmd":1}`, `[]`, `"cmd"`, `{"cmd":"quit","cmd":"send"}`,
		`{"cmd":"send_file","to":"bob@acme.test","path":"../../etc/passwd"}`,
		"{\"cmd\":\"send\",\"body\":\"\\u202eevil\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		c, err := ParseCommand(line)
		if err == nil && c == nil {
			t.Fatalf("no command and no error for %q", line)
		}
		if err != nil && err.Error() == "" {
			t.Fatalf("an empty error for %q", line)
		}
	})
}
