package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	good := []struct {
		args []string
		want func(Flags) bool
	}{
		{nil, func(f Flags) bool { return !f.Headless && f.PasswordFD == -1 }},
		{[]string{"--headless", "--jid", "alice@acme.test", "--password-fd", "3", "--server", "127.0.0.1:15222", "--ca-file", "/x/ca.pem", "--direct-tls", "--data-dir", "/tmp/d"},
			func(f Flags) bool {
				return f.Headless && f.JID == "alice@acme.test" && f.PasswordFD == 3 && f.Server == "127.0.0.1:15222" &&
					f.CAFile == "/x/ca.pem" && f.DirectTLS && f.DataDir == "/tmp/d" && f.IsSet("direct-tls") && f.IsSet("headless")
			}},
		{[]string{"-jid=bob@acme.test"}, func(f Flags) bool { return f.JID == "bob@acme.test" && f.IsSet("jid") && !f.IsSet("server") }},
		{[]string{"--server", "[::1]:5222"}, func(f Flags) bool { return f.Server == "[::1]:5222" }},
		{[]string{"--password-fd", "0"}, func(f Flags) bool { return f.PasswordFD == 0 }}, // fine for the GUI
		{[]string{"--download-dir", "/tmp/dl", "--clamd-socket", "/run/c.ctl"}, func(f Flags) bool {
			return f.DownloadDir == "/tmp/dl" && f.ClamdSocket == "/run/c.ctl"
		}},
	}
	for _, tt := range good {
		var stderr bytes.Buffer
		f, err := Parse(tt.args, &stderr)
		if err != nil || !tt.want(f) {
			t.Errorf("Parse(%q) = %+v, %v (stderr %q)", tt.args, f, err, stderr.String())
		}
	}
	bad := []struct {
		args []string
		msg  string
	}{
		{[]string{"--headless"}, "--headless needs --jid"},
		{[]string{"--password", "hunter2"}, "flag provided but not defined: -password"},
		{[]string{"--jid", "alice@acme.test", "hunter2"}, "unexpected argument"},
		{[]string{"--jid", "alice"}, "expected name@domain"},
		{[]string{"--jid", "alice@acme.test/pc"}, "give the bare JID, e.g. alice@acme.test"},
		{[]string{"--jid", "@acme.test"}, "expected name@domain"},
		{[]string{"--headless", "--jid", "a@b", "--password-fd", "0"}, "standard input carries the commands"},
		{[]string{"--password-fd", "2"}, "standard output/error"},
		{[]string{"--password-fd", "-4"}, "not a file descriptor"},
		{[]string{"--password-fd", "x"}, "invalid value \"x\" for flag -password-fd: not a number"},
		{[]string{"--server", "xmpp.acme.test"}, "not host:port"},
		{[]string{"--data-dir", ""}, "--data-dir is empty"},
		{[]string{"--download-dir", " "}, "--download-dir is empty"},
		{[]string{"--clamd-socket", ""}, "--clamd-socket is empty"},
		{[]string{"--profile", ""}, "--profile is empty"},
	}
	for _, tt := range bad {
		var stderr bytes.Buffer
		_, err := Parse(tt.args, &stderr)
		var ue *UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Parse(%q) error = %v, want a usage error containing %q", tt.args, err, tt.msg)
		}
		if !strings.Contains(stderr.String(), tt.msg) {
			t.Errorf("Parse(%q) stderr = %q, want it to say %q", tt.args, stderr.String(), tt.msg)
		}
	}
	var stderr bytes.Buffer
	if _, err := Parse([]string{"--help"}, &stderr); !errors.Is(err, ErrHelp) {
		t.Errorf("--help: %v", err)
	}
	for _, want := range []string{"--headless", "-password-fd descriptor", "never taken from the command line", "Exit status", "3<passfile"} {
		if !strings.Contains(stderr.String(), want) && !strings.Contains(stderr.String(), strings.TrimPrefix(want, "-")) {
			t.Errorf("usage lacks %q:\n%s", want, stderr.String())
		}
	}
}

func TestReadPassword(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"s3cret\n", "s3cret", ""},
		{"s3cret\r\n", "s3cret", ""},
		{"s3cret", "s3cret", ""},
		{" spaces kept \n", " spaces kept ", ""},
		{"two\nlines\n", "two\nlines", ""},
		{"", "", "empty"},
		{"\n", "", "empty"},
		{strings.Repeat("x", maxPassword+1), "", "not a password"},
	}
	for _, tt := range tests {
		got, err := readPassword(strings.NewReader(tt.in), 3)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("readPassword(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("readPassword(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
