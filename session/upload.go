package session

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/filesafe"
	"github.com/palisade-im/palisade/l10n"
)

// upload is the upload step of sendFile (policy.go): the policy allowed the
// file; it is opened here, a slot is requested from the account's upload
// service, the file is PUT over HTTPS with progress, and the GET URL goes to
// the peer as the body and as XEP-0066 out-of-band data.
func (s *Session) upload(f outgoingFile) {
	id := f.ID
	if id == "" {
		id = randomID()
	}
	ctx, cancel := context.WithCancel(s.ctx)
	t := &transfer{id: id, up: true, peer: f.To, name: f.Name, size: f.Size, state: stateRunning, cancel: cancel}
	if !s.register(t) {
		cancel()
		s.badCommand(event.SendFile{}, s.lang.T("A file transfer with id {{.ID}} is already in progress: choose another id.", l10n.Args{"ID": id}))
		return
	}
	go func() {
		defer cancel()
		defer s.unregister(id)
		ev, err := s.doUpload(ctx, id, f)
		if err != nil {
			if ctx.Err() != nil && s.ctx.Err() != nil {
				return // the session is closing
			}
			var fe *fileError
			if !errors.As(err, &fe) {
				fe = fileErr(event.FileInterrupted, err.Error())
			}
			s.emit(event.FileRejected{ID: id, To: f.To, Name: f.Name, Code: fe.code, Reason: fe.msg})
			return
		}
		s.emit(ev)
	}()
}

func contentType(name string) string {
	if t := mime.TypeByExtension(filesafe.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func (s *Session) doUpload(ctx context.Context, id string, f outgoingFile) (event.FileSent, error) {
	file, err := os.Open(f.Path)
	if err != nil {
		return event.FileSent{}, fileErr(event.FileUnreadable, s.lang.T("The file {{.Path}} cannot be read: {{.Err}}", l10n.Args{"Path": f.Path, "Err": unwrapPath(err).Error()}))
	}
	defer file.Close()
	fi, err := file.Stat()
	if err != nil {
		return event.FileSent{}, fileErr(event.FileUnreadable, s.lang.T("The file {{.Path}} cannot be read: {{.Err}}", l10n.Args{"Path": f.Path, "Err": unwrapPath(err).Error()}))
	}
	if fi.Size() != f.Size {
		return event.FileSent{}, fileErr(event.FileUnreadable, s.lang.T("The file {{.Path}} changed while it was being sent; send it again.", l10n.Args{"Path": f.Path}))
	}
	svc, err := s.uploadService(ctx)
	if err != nil {
		return event.FileSent{}, err
	}
	ct := contentType(f.Name)
	put, get, headers, err := s.requestSlot(ctx, svc, f.Name, f.Size, ct)
	if err != nil {
		return event.FileSent{}, err
	}
	p := &progress{s: s, ev: event.FileProgress{ID: id, To: f.To, Name: f.Name, Total: f.Size}}
	s.emit(p.ev)
	if err := s.put(ctx, put, headers, ct, file, f.Size, p); err != nil {
		return event.FileSent{}, err
	}
	s.sendFileMessage(id, f.To, get.String())
	return event.FileSent{ID: id, To: f.To, Name: f.Name, URL: get.String(), Size: f.Size}, nil
}

// uploadService finds the account server's XEP-0363 service through service
// discovery (the server itself, then its items), once per connection.
func (s *Session) uploadService(ctx context.Context) (*uploadService, error) {
	s.mu.Lock()
	cur := s.cur
	s.mu.Unlock()
	s.files.mu.Lock()
	if s.files.svc != nil && s.files.svcConn == cur {
		svc := s.files.svc
		s.files.mu.Unlock()
		return svc, nil
	}
	s.files.mu.Unlock()
	domain := s.bare.Domainpart()
	candidates := []string{domain}
	st, err := s.query(ctx, "get", domain, elem(nsDiscoItems, "query"))
	if err != nil {
		return nil, err
	}
	if st.Type == "result" && st.DiscoItems != nil {
		for _, it := range st.DiscoItems.Items {
			if it.JID != "" && it.Node == "" {
				candidates = append(candidates, it.JID)
			}
		}
	}
	for _, c := range candidates {
		st, err := s.query(ctx, "get", c, elem(nsDiscoInfo, "query"))
		if err != nil {
			var fe *fileError
			if errors.As(err, &fe) && fe.code == event.FileCancelled {
				return nil, err
			}
			continue
		}
		if st.Type != "result" || st.DiscoInfo == nil || !hasFeature(st.DiscoInfo, nsUpload) {
			continue
		}
		svc := &uploadService{jid: c, max: maxFileSize(st.DiscoInfo)}
		s.files.mu.Lock()
		s.files.svc, s.files.svcConn = svc, cur
		s.files.mu.Unlock()
		return svc, nil
	}
	return nil, fileErr(event.FileNoUpload, s.lang.T("The server {{.Domain}} offers no file upload service (XEP-0363 HTTP File Upload), so files cannot be sent from this account. Ask the server's administrator to enable it.", l10n.Args{"Domain": domain}))
}

func hasFeature(d *discoInfo, v string) bool {
	for _, f := range d.Features {
		if f.Var == v {
			return true
		}
	}
	return false
}

// maxFileSize reads max-file-size from the service's XEP-0128 form.
func maxFileSize(d *discoInfo) int64 {
	for _, f := range d.Forms {
		isUpload := false
		var max int64
		for _, fl := range f.Fields {
			if fl.Var == "FORM_TYPE" && len(fl.Values) > 0 && strings.TrimSpace(fl.Values[0]) == nsUpload {
				isUpload = true
			}
			if fl.Var == "max-file-size" && len(fl.Values) > 0 {
				max, _ = strconv.ParseInt(strings.TrimSpace(fl.Values[0]), 10, 64)
			}
		}
		if isUpload && max > 0 {
			return max
		}
	}
	return 0
}

// requestSlot asks for an upload slot (XEP-0363 §4). Refusals say why: too
// large (with the server's limit), quota, or the server's own words.
func (s *Session) requestSlot(ctx context.Context, svc *uploadService, name string, size int64, ct string) (put, get *url.URL, headers http.Header, err error) {
	req := elem(nsUpload, "request", "filename", name, "size", strconv.FormatInt(size, 10), "content-type", ct)
	st, err := s.query(ctx, "get", svc.jid, req)
	if err != nil {
		return nil, nil, nil, err
	}
	if st.Type == "error" {
		e := st.Error
		max := svc.max
		if e != nil && e.FileTooLarge != nil {
			if m, perr := strconv.ParseInt(strings.TrimSpace(e.FileTooLarge.Max), 10, 64); perr == nil && m > 0 {
				max = m
			}
		}
		cond := ""
		if e != nil {
			cond = conditionOf(e)
		}
		a := l10n.Args{"Name": name, "Size": s.size(size), "Max": s.size(max), "Bytes": max, "Err": e.String()}
		switch {
		case e != nil && e.FileTooLarge != nil, cond == "not-acceptable" && max > 0 && size > max:
			if max > 0 {
				return nil, nil, nil, fileErr(event.FileTooLarge, s.lang.T("{{.Name}} ({{.Size}}) is larger than the server accepts: its upload limit is {{.Max}} ({{.Bytes}} bytes).", a))
			}
			return nil, nil, nil, fileErr(event.FileTooLarge, s.lang.T("{{.Name}} ({{.Size}}) is larger than the server accepts.", a))
		case cond == "resource-constraint":
			return nil, nil, nil, fileErr(event.FileQuota, s.lang.T("The server refused to store {{.Name}}: {{.Err}}. Its upload quota is probably used up; try again later.", a))
		}
		return nil, nil, nil, fileErr(event.FileSlotRefused, s.lang.T("The upload service refused {{.Name}}: {{.Err}}.", a))
	}
	if st.Slot == nil {
		return nil, nil, nil, fileErr(event.FileSlotRefused, s.lang.T("The upload service answered without an upload slot."))
	}
	put, perr := url.Parse(st.Slot.Put.URL)
	get, gerr := url.Parse(st.Slot.Get.URL)
	if perr != nil || gerr != nil || put.Scheme != "https" || get.Scheme != "https" || put.Host == "" || get.Host == "" || put.User != nil || get.User != nil {
		return nil, nil, nil, fileErr(event.FileSlotRefused, s.lang.T("The upload service handed out a link that is not a plain https URL ({{.URL}}); nothing was uploaded.", l10n.Args{"URL": strconv.Quote(st.Slot.Put.URL)}))
	}
	// The slot came from our own server: its hosts are the upload host.
	s.learnUploadHost(put)
	s.learnUploadHost(get)
	return put, get, slotHeaders(st.Slot), nil
}

// slotHeaders keeps the headers XEP-0363 §5 allows on the PUT, without
// line breaks.
func slotHeaders(slot *uploadSlot) http.Header {
	headers := http.Header{}
	for _, h := range slot.Put.Headers {
		// XEP-0363 §5: only these headers, without line breaks.
		v := strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, strings.TrimSpace(h.Value))
		switch http.CanonicalHeaderKey(h.Name) {
		case "Authorization", "Cookie", "Expires":
			headers.Set(h.Name, v)
		}
	}
	return headers
}

func conditionOf(e *stanzaError) string {
	for _, c := range e.Conditions {
		if c.XMLName.Space == nsStanzaErr && c.XMLName.Local != "text" {
			return c.XMLName.Local
		}
	}
	return ""
}

// countingReader reports progress as it is read.
type countingReader struct {
	r   io.Reader
	p   *progress
	ctx context.Context
}

func (c *countingReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(b)
	if n > 0 {
		c.p.add(int64(n))
	}
	return n, err
}

// put uploads the file to the slot.
func (s *Session) put(ctx context.Context, put *url.URL, headers http.Header, ct string, r io.Reader, size int64, p *progress) error {
	body := &countingReader{r: r, p: p, ctx: ctx}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, put.String(), io.NopCloser(body))
	if err != nil {
		return fileErr(event.FileSlotRefused, s.lang.T("The upload link is not usable: {{.Err}}", l10n.Args{"Err": err.Error()}))
	}
	req.ContentLength = size
	req.Header = headers
	req.Header.Set("Content-Type", ct)
	if size == 0 {
		req.Body = http.NoBody
	}
	resp, err := s.files.client.Do(req)
	if err != nil {
		fe := s.transferError(ctx, err, "")
		if fe.code == event.FileInterrupted {
			fe.msg += " " + s.lang.T("The file can be sent again.")
		}
		return fe
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	a := l10n.Args{"Status": resp.Status}
	switch {
	case resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated:
		return nil
	case resp.StatusCode == http.StatusRequestEntityTooLarge:
		return fileErr(event.FileTooLarge, s.lang.T("The upload server refused the file as too large ({{.Status}}).", a))
	case resp.StatusCode == http.StatusConflict:
		return fileErr(event.FileSlotRefused, s.lang.T("The upload server already holds a file at that slot ({{.Status}}); send the file again.", a))
	}
	return fileErr(event.FileHTTP, s.lang.T("The upload server answered {{.Status}}; the file was not sent. It can be sent again.", a))
}

// sendFileMessage sends the link to the peer: the body (for every client)
// and XEP-0066 out-of-band data (so that clients show a file). Offline, the
// body waits in the outbox.
func (s *Session) sendFileMessage(id, to, link string) {
	msg := chatMessage(id, to, link).add(elem(nsOOB, "x").add(child("url", link)))
	if s.isRoom(to) {
		msg = roomFileMessage(id, to, link) // a room: groupchat, never queued
		s.mu.Lock()
		defer s.mu.Unlock()
		if cur := s.cur; cur != nil {
			s.write(cur, &outStanza{el: msg})
		}
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.cur; cur != nil {
		o := &outStanza{el: msg, msgID: id, to: to, body: link}
		if err := s.write(cur, o); err == nil {
			s.requestAck(cur)
			return
		}
		if s.sm.enabled {
			s.sm.sent(o)
			return
		}
	}
	if err := s.outbox.add(outboxEntry{ID: id, To: to, Body: link, Queued: time.Now().UTC()}); err != nil {
		s.emit(event.Error{Message: s.lang.T("The link to the sent file could not be saved for later: {{.Err}}", l10n.Args{"Err": err.Error()}), Code: event.CodeConfig, Command: event.SendFile{}.CommandName()})
	}
}
