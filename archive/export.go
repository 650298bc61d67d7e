package archive

import (
	"bufio"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"time"
)

// Export formats.
type Format string

const (
	JSONL Format = "jsonl" // one Message as JSON per line
	HTML  Format = "html"  // one readable, self-contained HTML page
)

// ExportOptions selects what Export writes.
type ExportOptions struct {
	Conversation string    // only this conversation; "" for all
	From         time.Time // messages at this time or later; zero for no bound
	To           time.Time // messages strictly before this time; zero for no bound
	Format       Format    // JSONL (the default) or HTML
	// Generated is the time written in the HTML header; time.Now when zero.
	Generated time.Time
}

// Export writes the selected messages, ordered by conversation, then time,
// each with the participant's trust classification when it was stored.
//
// JSON Lines: each line is a Message encoded by encoding/json (time in RFC
// 3339 with nanoseconds, UTC); decoding a line into a Message gives it back.
//
// HTML: a single page with an inline style sheet, no script and no external
// resource (a Content-Security-Policy meta element forbids both), every text
// escaped by html/template; one table per conversation.
func (a *Archive) Export(w io.Writer, o ExportOptions) (int, error) {
	switch o.Format {
	case "":
		o.Format = JSONL
	case JSONL, HTML:
	default:
		return 0, fmt.Errorf("archive: export format %q: want %q or %q", o.Format, JSONL, HTML)
	}
	db, err := a.handle()
	if err != nil {
		return 0, err
	}
	q := `SELECT ` + messageColumns + ` FROM messages m WHERE 1`
	var args []any
	if o.Conversation != "" {
		q += ` AND m.conversation = ?`
		args = append(args, o.Conversation)
	}
	if !o.From.IsZero() {
		q += ` AND m.time >= ?`
		args = append(args, o.From.UnixNano())
	}
	if !o.To.IsZero() {
		q += ` AND m.time < ?`
		args = append(args, o.To.UnixNano())
	}
	q += ` ORDER BY m.conversation, m.time, m.id`
	rows, err := db.Query(q, args...)
	if err != nil {
		return 0, fmt.Errorf("archive: export: %w", err)
	}
	defer rows.Close()

	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if o.Format == HTML {
		gen := o.Generated
		if gen.IsZero() {
			gen = time.Now()
		}
		if err := htmlPage.ExecuteTemplate(bw, "head", headData{o, gen.UTC().Format(time.RFC3339)}); err != nil {
			return 0, fmt.Errorf("archive: export: %w", err)
		}
	}
	n, conv := 0, ""
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return n, err
		}
		if o.Format == JSONL {
			err = enc.Encode(m)
		} else {
			if n == 0 || m.Conversation != conv {
				if n > 0 {
					err = htmlPage.ExecuteTemplate(bw, "end-conversation", nil)
				}
				if err == nil {
					err = htmlPage.ExecuteTemplate(bw, "conversation", m)
				}
				conv = m.Conversation
			}
			if err == nil {
				err = htmlPage.ExecuteTemplate(bw, "message", htmlMessage{m, m.Time.Format("2006-01-02 15:04:05 MST"), trustLabel(m.Trust)})
			}
		}
		if err != nil {
			return n, fmt.Errorf("archive: export: %w", err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("archive: export: %w", err)
	}
	if o.Format == HTML {
		if n > 0 {
			if err := htmlPage.ExecuteTemplate(bw, "end-conversation", nil); err != nil {
				return n, err
			}
		}
		if err := htmlPage.ExecuteTemplate(bw, "foot", n); err != nil {
			return n, fmt.Errorf("archive: export: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("archive: export: %w", err)
	}
	return n, nil
}

type headData struct {
	O         ExportOptions
	Generated string
}

type htmlMessage struct {
	Message
	When  string
	Label string
}

// trustLabel is the classification as a reader sees it.
func trustLabel(t Trust) string {
	switch {
	case t.Class == "":
		return "not classified"
	case t.LookalikeOf != "":
		return t.Class + " (imitates " + t.LookalikeOf + ")"
	case t.Org != "":
		return t.Class + " (" + t.Org + ")"
	}
	return t.Class
}

var htmlPage = template.Must(template.New("export").Funcs(template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	},
}).Parse(`{{define "head"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>Palisade message export</title>
<style>
body { font-family: sans-serif; margin: 2em; color: #111; }
table { border-collapse: collapse; width: 100%; margin-bottom: 2em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
td.body { white-space: pre-wrap; word-break: break-word; }
td.when { white-space: nowrap; font-family: monospace; }
.trust-internal { color: #1a5e1a; } .trust-partner { color: #1a3f7a; } .trust-gateway { color: #5a3f7a; }
.trust-unknown { color: #8a5a00; } .trust-lookalike, .trust-blocked { color: #a00000; font-weight: bold; }
.private { font-style: italic; }
</style>
</head>
<body>
<h1>Palisade message export</h1>
<p>Generated {{.Generated}}{{if .O.Conversation}}; conversation {{.O.Conversation}}{{end}}{{with date .O.From}}; from {{.}}{{end}}{{with date .O.To}}; until {{.}} (excluded){{end}}.
Times are UTC. Each message shows the sender's trust classification when it was stored.</p>
{{end}}
{{define "conversation"}}<h2>{{.Conversation}}{{if .IsRoom}} (room){{end}}</h2>
<table>
<thead><tr><th>Time</th><th>Direction</th><th>Sender</th><th>Classification</th><th>Message</th></tr></thead>
<tbody>
{{end}}
{{define "message"}}<tr{{if .IsPrivate}} class="private"{{end}}><td class="when">{{.When}}</td><td>{{.Direction}}</td><td>{{.Sender}}{{if and .SenderBare (ne .SenderBare .Sender)}} ({{.SenderBare}}){{end}}{{if .IsPrivate}}<br>private message in the room{{end}}</td><td class="trust-{{.Trust.Class}}">{{.Label}}</td><td class="body">{{.Body}}</td></tr>
{{end}}
{{define "end-conversation"}}</tbody>
</table>
{{end}}
{{define "foot"}}<p>{{.}} message(s).</p>
</body>
</html>
{{end}}`))
