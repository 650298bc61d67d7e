package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/filesafe"
	"github.com/palisade-im/palisade/l10n"
	"github.com/palisade-im/palisade/scan"
)

// fileOffer looks at an incoming chat message for a file link: XEP-0066
// out-of-band data, or a body that is a single https URL. A link becomes a
// file_offered event (or file_rejected when it is not a safe https URL);
// files from internal and partner peers sent with out-of-band data are
// fetched at once, the others wait for download_file.
func (s *Session) fileOffer(st *inStanza, tr event.Trust) {
	raw, oob := "", false
	for _, o := range st.OOB {
		if u := strings.TrimSpace(o.URL); u != "" {
			raw, oob = u, true
			break
		}
	}
	if raw == "" && st.Body != nil {
		b := strings.TrimSpace(*st.Body)
		if len(b) > 8 && strings.EqualFold(b[:8], "https://") && !strings.ContainsAny(b, " \t\r\n") {
			raw = b
		}
	}
	if raw == "" {
		return
	}
	from := st.From
	if _, err := filesafe.CheckURLIn(s.lang, raw, s.ownUploadHost); isBadAddress(err) && s.needProbe() {
		// A link to a local or private address may be the own server's
		// upload host, not learned yet: ask the server (off the read loop,
		// which must deliver the answer), then decide.
		go func() {
			s.probeUploadHosts()
			s.offer(from, raw, oob, tr)
		}()
		return
	}
	s.offer(from, raw, oob, tr)
}

func isBadAddress(err error) bool {
	var ue *filesafe.URLError
	return errors.As(err, &ue) && ue.Code == filesafe.BadAddress
}

// needProbe reports (once per connection) whether the own upload hosts
// should be learned from the server before judging a local link.
func (s *Session) needProbe() bool {
	s.mu.Lock()
	cur := s.cur
	s.mu.Unlock()
	s.files.mu.Lock()
	defer s.files.mu.Unlock()
	if cur == nil || s.files.probed == cur {
		return false
	}
	s.files.probed = cur
	return true
}

// probeUploadHosts learns the own upload service's hosts by asking for a
// slot for a one-byte file that is never uploaded (the slot expires).
func (s *Session) probeUploadHosts() {
	ctx, cancel := context.WithTimeout(s.ctx, 2*replyTimeout)
	defer cancel()
	svc, err := s.uploadService(ctx)
	if err != nil {
		return
	}
	s.requestSlot(ctx, svc, "probe.txt", 1, "text/plain")
}

// autoDownloads: the profile lets files offered by colleagues and approved
// partners be fetched without a click (the default; files.auto_download).
func (s *Session) autoDownloads() bool {
	if s.cfg.Profiles == nil {
		return true
	}
	return s.cfg.Profiles.Active().AutoDownloads()
}

// offer judges a file link from a peer and reports it.
func (s *Session) offer(from, raw string, oob bool, tr event.Trust) {
	id := randomID()
	u, err := filesafe.CheckURLIn(s.lang, raw, s.ownUploadHost)
	if err != nil {
		name := ""
		if pu, perr := url.Parse(raw); perr == nil {
			name = filesafe.NameFromURL(pu)
		}
		s.emit(event.FileRejected{ID: id, From: from, Name: name, Code: event.FileBadURL,
			Reason: s.lang.T("The file link from {{.From}} was not downloaded: {{.Err}}", l10n.Args{"From": peerOf(from), "Err": err.Error()})})
		return
	}
	name := filesafe.NameFromURL(u)
	auto := oob && (tr.Class == event.ClassInternal || tr.Class == event.ClassPartner) && s.autoDownloads()
	t := &transfer{id: id, peer: from, name: name, url: u, size: -1, trust: tr, state: stateOffered}
	s.register(t)
	s.emit(event.FileOffered{ID: id, From: from, Name: name, Size: -1, URL: u.String(), Trust: tr, Auto: auto})
	if auto {
		s.startDownload(t)
	}
}

// downloadFile fetches an offer that was not fetched automatically.
func (s *Session) downloadFile(c event.DownloadFile) {
	t := s.lookup(c.ID)
	if t == nil || t.up {
		s.badCommand(c, s.lang.T("No file offer {{.ID}} is waiting.", l10n.Args{"ID": c.ID}))
		return
	}
	if in, _ := s.inbound(t.peer); in.Drop {
		s.unregister(t.id)
		s.emit(event.FileRejected{ID: t.id, From: t.peer, Name: t.name, Code: event.FileBlockedPeer,
			Reason: s.lang.T("{{.From}} is blocked: files from them are never downloaded.", l10n.Args{"From": peerOf(t.peer)})})
		return
	}
	s.files.mu.Lock()
	ok := t.state == stateOffered
	s.files.mu.Unlock()
	if !ok {
		s.badCommand(c, s.lang.T("The file {{.Name}} is already downloaded or being downloaded.", l10n.Args{"Name": t.name}))
		return
	}
	s.startDownload(t)
}

func (s *Session) startDownload(t *transfer) {
	ctx, cancel := context.WithCancel(s.ctx)
	s.files.mu.Lock()
	t.state, t.cancel = stateRunning, cancel
	s.files.mu.Unlock()
	go func() {
		defer cancel()
		qpath, size, err := s.fetch(ctx, t)
		if err != nil {
			s.unregister(t.id)
			if s.ctx.Err() != nil {
				return // the session is closing
			}
			var fe *fileError
			if !errors.As(err, &fe) {
				fe = fileErr(event.FileInterrupted, err.Error())
			}
			s.emit(event.FileRejected{ID: t.id, From: t.peer, Name: t.name, Code: fe.code, Reason: fe.msg})
			return
		}
		s.files.mu.Lock()
		t.qpath, t.size = qpath, size
		s.files.mu.Unlock()
		s.scanQuarantined(ctx, t)
	}()
}

// quarantine returns the quarantine folder, made private (0700).
func (s *Session) quarantine() (string, error) {
	if s.cfg.DataDir == "" {
		return "", fileErr(event.FileUnreadable, s.lang.T("No data folder is configured, so received files cannot be kept in quarantine; nothing was downloaded."))
	}
	dir := filepath.Join(s.cfg.DataDir, quarantineDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fileErr(event.FileUnreadable, s.lang.T("The quarantine folder {{.Dir}} cannot be created: {{.Err}}", l10n.Args{"Dir": dir, "Err": unwrapPath(err).Error()}))
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", fileErr(event.FileUnreadable, s.lang.T("The quarantine folder {{.Dir}} cannot be made private: {{.Err}}", l10n.Args{"Dir": dir, "Err": unwrapPath(err).Error()}))
	}
	return dir, nil
}

// downloadDir returns the folder clean files are moved to: Config.DownloadDir,
// else the XDG download folder, else ~/Downloads.
func (s *Session) downloadDir() string {
	if s.cfg.DownloadDir != "" {
		return s.cfg.DownloadDir
	}
	return defaultDownloadDir()
}

func defaultDownloadDir() string {
	home, _ := os.UserHomeDir()
	if d := os.Getenv("XDG_DOWNLOAD_DIR"); d != "" && filepath.IsAbs(d) {
		return d
	}
	cfg := os.Getenv("XDG_CONFIG_HOME")
	if cfg == "" && home != "" {
		cfg = filepath.Join(home, ".config")
	}
	if data, err := os.ReadFile(filepath.Join(cfg, "user-dirs.dirs")); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if v, ok := strings.CutPrefix(line, "XDG_DOWNLOAD_DIR="); ok {
				v = strings.Trim(v, `"`)
				v = strings.Replace(v, "$HOME", home, 1)
				if filepath.IsAbs(v) {
					return v
				}
			}
		}
	}
	return filepath.Join(home, "Downloads")
}

// createUnique creates a new file in dir under name, or "name (2)" and so
// on: nothing is ever overwritten.
func createUnique(dir, name string) (*os.File, error) {
	for n := 1; n <= 1000; n++ {
		p := filepath.Join(dir, filesafe.Numbered(name, n))
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("too many files named %s in %s", name, dir)
}

// fetch downloads an offer into the quarantine folder, within the policy's
// size limit, checked against Content-Length first and against the bytes
// as they come.
func (s *Session) fetch(ctx context.Context, t *transfer) (string, int64, error) {
	dir, err := s.quarantine()
	if err != nil {
		return "", 0, err
	}
	max := s.maxReceiveSize()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.url.String(), nil)
	if err != nil {
		return "", 0, fileErr(event.FileBadURL, s.lang.T("The file link cannot be used: {{.Err}}", l10n.Args{"Err": err.Error()}))
	}
	resp, err := s.files.client.Do(req)
	if err != nil {
		fe := s.transferError(ctx, err, t.name)
		if fe.code == event.FileInterrupted {
			fe.msg += " " + s.lang.T("Ask for the file again, or download it again.")
		}
		return "", 0, fe
	}
	defer resp.Body.Close()
	a := l10n.Args{"Name": t.name, "Status": resp.Status, "Max": s.size(max)}
	if resp.StatusCode != http.StatusOK {
		return "", 0, fileErr(event.FileHTTP, s.lang.T("The file server answered {{.Status}} for {{.Name}}; nothing was downloaded.", a))
	}
	total := resp.ContentLength
	if total > max {
		a["Size"] = s.size(total)
		return "", 0, fileErr(event.FileTooLarge, s.lang.T("{{.Name}} is {{.Size}}, more than the {{.Max}} the policy allows for received files; nothing was downloaded.", a))
	}
	f, err := createUnique(dir, t.name)
	if err != nil {
		return "", 0, fileErr(event.FileUnreadable, s.lang.T("The file cannot be stored in quarantine: {{.Err}}", l10n.Args{"Err": unwrapPath(err).Error()}))
	}
	path := f.Name()
	fail := func(e error) (string, int64, error) {
		f.Close()
		os.Remove(path)
		return "", 0, e
	}
	p := &progress{s: s, ev: event.FileProgress{ID: t.id, From: t.peer, Name: t.name, Total: total}}
	if total < 0 {
		p.ev.Total = -1
	}
	s.emit(p.ev)
	body := &countingReader{r: io.LimitReader(resp.Body, max+1), p: p, ctx: ctx}
	n, err := io.Copy(f, body)
	if err != nil {
		if errors.Is(err, syscall.ENOSPC) {
			return fail(fileErr(event.FileUnreadable, s.lang.T("The disk is full: {{.Name}} could not be stored.", a)))
		}
		fe := s.transferError(ctx, err, t.name)
		if fe.code == event.FileInterrupted {
			fe.msg += " " + s.lang.T("Nothing was kept; download it again.")
		}
		return fail(fe)
	}
	if n > max {
		return fail(fileErr(event.FileTooLarge, s.lang.T("{{.Name}} is larger than the {{.Max}} the policy allows for received files; the download was stopped and nothing was kept.", a)))
	}
	if total >= 0 && n != total {
		a["Got"], a["Total"] = n, total
		return fail(fileErr(event.FileInterrupted, s.lang.T("The download of {{.Name}} ended early ({{.Got}} of {{.Total}} bytes); nothing was kept.", a)))
	}
	if err := f.Sync(); err != nil {
		a["Err"] = err.Error()
		return fail(fileErr(event.FileUnreadable, s.lang.T("{{.Name}} could not be stored: {{.Err}}", a)))
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		a["Err"] = err.Error()
		return "", 0, fileErr(event.FileUnreadable, s.lang.T("{{.Name}} could not be stored: {{.Err}}", a))
	}
	return path, n, nil
}

// scanQuarantined scans a quarantined file: clean files move to the
// downloads folder, infected ones are deleted and logged, and when the
// scanner is unavailable the profile decides (default: keep in quarantine).
func (s *Session) scanQuarantined(ctx context.Context, t *transfer) {
	s.files.mu.Lock()
	qpath, name, from, size := t.qpath, t.name, t.peer, t.size
	s.files.mu.Unlock()
	f, err := os.Open(qpath)
	if err != nil {
		s.unregister(t.id)
		s.emit(event.FileRejected{ID: t.id, From: from, Name: name, Code: event.FileUnreadable,
			Reason: s.lang.T("The quarantined file {{.Path}} cannot be read: {{.Err}}", l10n.Args{"Path": qpath, "Err": unwrapPath(err).Error()})})
		return
	}
	res, err := s.files.scanner.Scan(ctx, f)
	f.Close()
	switch {
	case err != nil && ctx.Err() != nil:
		if s.ctx.Err() != nil {
			return // the session is closing: the file stays in quarantine
		}
		s.unregister(t.id)
		os.Remove(qpath)
		s.emit(event.FileRejected{ID: t.id, From: from, Name: name, Code: event.FileCancelled,
			Reason: s.lang.T("The scan of {{.Name}} was cancelled and the file deleted.", l10n.Args{"Name": name})})
	case err != nil:
		msg := err.Error() // for the audit log, as it is
		why := s.scanError(err)
		if !errors.Is(err, scan.ErrUnavailable) {
			msg = "the file could not be scanned: " + msg
		}
		if s.scannerUnavailable() == "allow" {
			dst, merr := s.release(qpath, name)
			if merr == nil {
				s.unregister(t.id)
				s.audit("file_unscanned", map[string]any{"from": peerOf(from), "name": name, "path": dst, "size": size, "scanner": msg})
				s.emit(event.FileReceived{ID: t.id, From: from, Name: filepath.Base(dst), Path: dst, Size: size, Verdict: event.VerdictUnscanned,
					Scanner: s.lang.T("Not scanned for viruses ({{.Why}}); your organisation's profile lets unscanned files through. Open it with care.", l10n.Args{"Why": why})})
				return
			}
		}
		s.files.mu.Lock()
		t.state = stateQuarantined
		s.files.mu.Unlock()
		s.emit(event.FileReceived{ID: t.id, From: from, Name: name, Path: qpath, Size: size, Verdict: event.VerdictUnscanned,
			Scanner: s.lang.T("Not scanned for viruses: {{.Why}}. The file is kept in quarantine ({{.Path}}) until a scan finds it clean; retry the scan once the scanner runs.", l10n.Args{"Why": why, "Path": qpath})})
	case res.Infected:
		s.unregister(t.id)
		rerr := os.Remove(qpath)
		s.audit("file_infected", map[string]any{"from": peerOf(from), "name": name, "url": t.url.String(), "size": size, "virus": res.Virus, "deleted": rerr == nil})
		a := l10n.Args{"Name": name, "From": peerOf(from), "Virus": res.Virus, "Path": qpath}
		reason := s.lang.T("{{.Name}} from {{.From}} contains malware ({{.Virus}}) and was deleted.", a)
		if rerr != nil {
			a["Err"] = unwrapPath(rerr).Error()
			reason = s.lang.T("{{.Name}} from {{.From}} contains malware ({{.Virus}}); deleting it from quarantine failed ({{.Err}}): remove {{.Path}}.", a)
		}
		s.emit(event.FileRejected{ID: t.id, From: from, Name: name, Code: event.FileInfected, Reason: reason})
	default:
		dst, err := s.release(qpath, name)
		if err != nil {
			s.emit(event.FileReceived{ID: t.id, From: from, Name: name, Path: qpath, Size: size, Verdict: event.VerdictClean,
				Scanner: s.lang.T("Scanned clean, but it could not be moved to the downloads folder ({{.Err}}); it is in {{.Path}}.", l10n.Args{"Err": err.Error(), "Path": qpath})})
			s.unregister(t.id)
			return
		}
		s.unregister(t.id)
		s.emit(event.FileReceived{ID: t.id, From: from, Name: filepath.Base(dst), Path: dst, Size: size, Verdict: event.VerdictClean, Scanner: res.Answer})
	}
}

// release moves a quarantined file to the downloads folder under a unique
// name, without overwriting anything.
func (s *Session) release(qpath, name string) (string, error) {
	dir := s.downloadDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", unwrapPath(err)
	}
	for n := 1; n <= 1000; n++ {
		dst := filepath.Join(dir, filesafe.Numbered(name, n))
		err := os.Link(qpath, dst) // fails rather than overwrite
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err == nil {
			os.Remove(qpath)
			return dst, nil
		}
		// Another file system (or no hard links): copy.
		out, cerr := createUnique(dir, name)
		if cerr != nil {
			return "", unwrapPath(cerr)
		}
		in, oerr := os.Open(qpath)
		if oerr != nil {
			out.Close()
			os.Remove(out.Name())
			return "", unwrapPath(oerr)
		}
		_, cerr = io.Copy(out, in)
		in.Close()
		if cerr == nil {
			cerr = out.Sync()
		}
		if e := out.Close(); cerr == nil {
			cerr = e
		}
		if cerr != nil {
			os.Remove(out.Name())
			return "", cerr
		}
		os.Remove(qpath)
		return out.Name(), nil
	}
	return "", fmt.Errorf("too many files named %s in %s", name, dir)
}

// retryScan scans a file kept in quarantine as unscanned again.
func (s *Session) retryScan(c event.RetryScan) {
	t := s.lookup(c.ID)
	s.files.mu.Lock()
	ok := t != nil && t.state == stateQuarantined
	if ok {
		t.state = stateRunning
		ctx, cancel := context.WithCancel(s.ctx)
		t.cancel = cancel
		s.files.mu.Unlock()
		go func() {
			defer cancel()
			s.scanQuarantined(ctx, t)
		}()
		return
	}
	s.files.mu.Unlock()
	s.badCommand(c, s.lang.T("No file {{.ID}} waits in quarantine for a scan.", l10n.Args{"ID": c.ID}))
}

// scanError says why a file was not scanned, for the user: the scanner is
// unavailable (with clamd's details as they are), or the scan failed.
func (s *Session) scanError(err error) string {
	msg := err.Error()
	if !errors.Is(err, scan.ErrUnavailable) {
		return s.lang.T("the file could not be scanned: {{.Err}}", l10n.Args{"Err": msg})
	}
	unavailable := scan.ErrUnavailable.Error()
	if msg == unavailable {
		return s.lang.T("the virus scanner is unavailable")
	}
	if detail, ok := strings.CutPrefix(msg, unavailable+": "); ok {
		return s.lang.T("the virus scanner is unavailable: {{.Detail}}", l10n.Args{"Detail": detail})
	}
	return msg
}
