package account

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

func TestLoadMissingIsEmpty(t *testing.T) {
	s, err := Load(filepath.Join(t.TempDir(), "does-not-exist"))
	if err != nil || s != (Settings{}) {
		t.Fatalf("Load = %+v, %v; want zero, nil", s, err)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	want := Settings{JID: "alice@acme.test", Server: "xmpp.acme.test:5223", DirectTLS: true, CAFile: "/etc/acme/ca.pem", Remember: true}
	if err := Save(dir, want); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil || got != want {
		t.Fatalf("Load = %+v, %v; want %+v", got, err, want)
	}
	// Overwrite with other values.
	want2 := Settings{JID: "bob@acme.test"}
	if err := Save(dir, want2); err != nil {
		t.Fatal(err)
	}
	if got, err := Load(dir); err != nil || got != want2 {
		t.Fatalf("Load after overwrite = %+v, %v; want %+v", got, err, want2)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != FileName {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("data dir holds %v, want only %s (no temporary file left)", names, FileName)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(Path(dir))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("settings file mode = %v, want 0600", fi.Mode().Perm())
		}
		di, _ := os.Stat(dir)
		if di.Mode().Perm() != 0o700 {
			t.Errorf("data dir mode = %v, want 0700", di.Mode().Perm())
		}
	}
}

func TestFileFormat(t *testing.T) {
	dir := t.TempDir()
	if err := Save(dir, Settings{JID: "alice@acme.test", Remember: true}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(Path(dir))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"version": 1.0, "jid": "alice@acme.test", "remember": true}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("file = %s, want fields %v", data, want)
	}
}

func TestNoSecretField(t *testing.T) {
	typ := reflect.TypeOf(Settings{})
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		name := strings.ToLower(f.Name + " " + f.Tag.Get("json"))
		for _, bad := range []string{"pass", "secret", "token", "key"} {
			if strings.Contains(name, bad) {
				t.Errorf("Settings field %s looks like a secret; secrets belong in the keystore", f.Name)
			}
		}
	}
}

func TestCorruptFileIsKeptAside(t *testing.T) {
	cases := map[string]string{
		"garbage":    "{\"jid\": \"alice@acme.test\", oops",
		"trailing":   `{"version":1,"jid":"a@b"} {"x":1}`,
		"no version": `{"jid":"a@b"}`,
		"newer":      `{"version":99,"jid":"a@b"}`,
		"wrong type": `{"version":1,"jid":42}`,
		"empty":      ``,
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(Path(dir), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Load(dir)
			if s != (Settings{}) {
				t.Errorf("Load returned %+v with a corrupt file, want zero", s)
			}
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Load error = %v, want *CorruptError", err)
			}
			if ce.MovedTo == "" || !strings.HasPrefix(filepath.Base(ce.MovedTo), FileName+".corrupt-") {
				t.Fatalf("MovedTo = %q", ce.MovedTo)
			}
			kept, err := os.ReadFile(ce.MovedTo)
			if err != nil || string(kept) != content {
				t.Fatalf("kept file = %q, %v; want the original content", kept, err)
			}
			if _, err := os.Stat(Path(dir)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("corrupt file still in place: %v", err)
			}
			if !strings.Contains(ce.Error(), ce.MovedTo) || !strings.Contains(ce.Error(), "defaults") {
				t.Errorf("message %q does not say where the file went", ce.Error())
			}
			// Saving afterwards works and does not touch the kept copy.
			if err := Save(dir, Settings{JID: "alice@acme.test"}); err != nil {
				t.Fatal(err)
			}
			if kept2, _ := os.ReadFile(ce.MovedTo); string(kept2) != content {
				t.Error("the kept copy changed")
			}
		})
	}
}

func TestUnreadableIsNotCorrupt(t *testing.T) {
	dir := t.TempDir()
	// A directory where the file should be: a read error, not corruption.
	if err := os.Mkdir(Path(dir), 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir)
	var ce *CorruptError
	if err == nil || errors.As(err, &ce) {
		t.Fatalf("Load = %v, want a plain read error", err)
	}
	if _, err := os.Stat(Path(dir)); err != nil {
		t.Fatal("the unreadable entry was moved")
	}
}

func TestDefaultDataDir(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("checks the XDG layout")
	}
	t.Setenv("XDG_CONFIG_HOME", "/tmp/xdg-config")
	d, err := DefaultDataDir()
	if err != nil || d != "/tmp/xdg-config/Palisade" {
		t.Fatalf("DefaultDataDir = %q, %v", d, err)
	}
}
