package audit

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkAppend is one entry written and fsynced.
func BenchmarkAppend(b *testing.B) {
	l, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	fields := map[string]any{"peer": "mallory@evil.test", "reason": "first message to an unknown domain", "class": "unknown"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := l.Append(KindWarningShown, fields); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify100k verifies a log of 100,000 entries (what Open does).
func BenchmarkVerify100k(b *testing.B) {
	dir := b.TempDir()
	// Build the log without an fsync per entry: write the lines directly.
	var buf bytes.Buffer
	head, seq := Genesis, uint64(0)
	for i := 0; i < 100000; i++ {
		seq++
		line, hash, err := encode(body{Seq: seq, Time: "2026-11-27T04:00:00.123456789Z", Kind: KindWarningShown,
			Fields: map[string]any{"peer": "mallory@evil.test", "reason": "first message to an unknown domain"}, Prev: head})
		if err != nil {
			b.Fatal(err)
		}
		buf.Write(line)
		head = hash
	}
	if err := os.WriteFile(Path(dir), buf.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := VerifyDir(dir, VerifyOptions{})
		if err != nil || !rep.OK || rep.Entries != 100000 {
			b.Fatalf("%+v %v", rep, err)
		}
	}
}
