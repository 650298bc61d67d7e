package ui

import (
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
)

// ownOrg is the user's organisation as the profile names it, else the
// user's own domain.
func (a *App) ownOrg() string {
	if o := a.profile.orgName(); o != "" {
		return o
	}
	return domainOf(a.self)
}

// applyRefused shows a policy refusal where it belongs: a held first
// message asks for confirmation, a refused message or file gets a line in
// its conversation, anything else goes to the error line. It returns the
// conversation that changed and whether the error line did.
func (a *App) applyRefused(e event.Refused, now time.Time) (conv string, errLine bool) {
	if e.Code == event.RefusedIdentity && e.To != "" {
		// The peer's identity changed: the conversation shows the same
		// banner and lock as after IdentityChanged.
		if !a.identityLocked(e.To) {
			c := event.IdentityChanged{JID: e.To, Detail: e.Reason}
			if e.Trust != nil {
				c.Trust = *e.Trust
			}
			a.lockIdentity(c)
		}
		if a.onMain {
			a.main.refreshRoster()
		}
	}
	switch e.Command {
	case (event.Send{}).CommandName():
		if e.Code == event.RefusedConfirm {
			conv = a.chats.SetDelivery(e.ID, e.To, DeliveryHeld)
			if conv == "" {
				// Not a message sent from this window: nothing to resend.
				conv = bareJID(e.To)
				a.chats.System(conv, lang.L("Not sent: {{.Why}}", tv{"Why": refusedReason(e)}), now)
				return conv, false
			}
			a.hold(conv, e.ID)
			return conv, false
		}
		conv = a.chats.SetDelivery(e.ID, e.To, DeliveryRefused)
		if conv == "" {
			conv = bareJID(e.To)
		}
		a.chats.System(conv, lang.L("Not sent: {{.Why}}", tv{"Why": refusedReason(e)}), now)
		return conv, false
	case (event.SendFile{}).CommandName():
		if conv = a.refusedFile(e); conv != "" {
			return conv, false
		}
		conv = bareJID(e.To)
		if conv == "" {
			conv = a.lastFileTo
		}
		if conv == "" {
			break
		}
		a.chats.System(conv, lang.L("File not sent: {{.Why}}", tv{"Why": refusedReason(e)}), now)
		return conv, false
	}
	a.lastErr = refusedReason(e)
	return "", true
}

func refusedReason(e event.Refused) string {
	if r := strings.TrimSpace(e.Reason); r != "" {
		return r
	}
	return lang.L("refused by policy ({{.Code}})", tv{"Code": e.Code})
}

// hold keeps message id to peer until the user decides, and asks once per
// peer.
func (a *App) hold(peer, id string) {
	first := len(a.held[peer]) == 0
	a.held[peer] = append(a.held[peer], id)
	if first {
		a.askConfirm(peer)
	}
}

// confirmQuestion is the question asked before the first message to an
// external peer.
func (a *App) confirmQuestion(peer string) string {
	t := a.roster.Trust(peer)
	q := lang.L("{{.JID}} is outside {{.Org}}.", tv{"JID": bareJID(peer), "Org": a.ownOrg()})
	if b := TrustBadge(t, peer); b.Text != "" {
		q = lang.L("{{.JID}} ({{.Badge}}) is outside {{.Org}}.", tv{"JID": bareJID(peer), "Badge": b.Text, "Org": a.ownOrg()})
	}
	if t.Reason != "" {
		q += "\n" + t.Reason
	}
	return q + "\n" + lang.L("Send anyway?")
}

// askConfirm asks whether to write to peer; yes resends every held message
// with Confirmed, no leaves them marked "not sent" in the conversation.
func (a *App) askConfirm(peer string) {
	q := a.confirmQuestion(peer)
	d := dialog.NewConfirm(lang.L("Write to an external contact?"), q, func(yes bool) {
		a.warned("confirm_first_message", peer, q, yes)
		a.decideHeld(peer, yes)
	}, a.win)
	d.SetConfirmText(lang.L("Send anyway"))
	d.SetDismissText(lang.L("Don't send"))
	d.Show()
}

// decideHeld applies the user's answer for the messages held for peer.
func (a *App) decideHeld(peer string, yes bool) {
	ids := a.held[peer]
	delete(a.held, peer)
	var kept []string
	for _, id := range ids {
		msg, _ := a.chats.Find(id, peer)
		if msg == nil {
			continue
		}
		if yes {
			msg.Delivery = DeliveryPending
			a.do(event.Send{To: peer, Body: msg.Body, ID: id, Confirmed: true})
		} else {
			msg.Delivery = DeliveryRefused
			kept = append(kept, msg.Body)
		}
	}
	if !yes && len(kept) > 0 {
		// Nothing is lost: the text goes back into the composer, unless the
		// user has started another draft there.
		back := lang.L("Your text is above.")
		if a.main.chat.drafts[peer] == "" && (peer != a.active || a.main.chat.composer.Text == "") {
			draft := strings.Join(kept, "\n")
			a.main.chat.drafts[peer] = draft
			if c := a.main.chat.composer; peer == a.active {
				onChanged := c.OnChanged
				c.OnChanged = nil // not typing: no chat state
				c.SetText(draft)
				c.OnChanged = onChanged
			}
			back = lang.L("Your text is back in the composer.")
		}
		a.chats.System(peer, lang.L("Not sent: you chose not to write to {{.JID}}.", tv{"JID": bareJID(peer)})+" "+back, a.now())
	}
	if peer == a.active && a.onMain {
		a.main.chatChanged(true)
	}
}

// fileDialog is the default chooseFile: Fyne's file picker.
func (a *App) fileDialog(title string, chosen func(path string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		chosen(path)
	}, a.win)
	d.SetTitleText(title)
	d.Resize(fyne.NewSize(760, 520))
	d.Show()
}

// importProfile asks for a signed profile file and hands it to the session,
// which verifies it; the answer is a Profile or ProfileRefused event.
func (a *App) importProfile() {
	a.chooseFile(lang.L("Import a signed profile"), func(path string) {
		a.do(event.ImportProfile{Path: path})
	})
}

// acceptRequest accepts the peer of a message request.
func (a *App) acceptRequest(jid string) {
	jid = bareJID(jid)
	a.accepting[jid] = true
	a.do(event.Accept{JID: jid})
}

// block blocks a bare JID or a whole domain.
func (a *App) block(target string) { a.do(event.Block{JID: target}) }

// linkURL turns a link as written into a URL to open ("www.x" gets https).
func linkURL(s string) (*url.URL, error) {
	if strings.HasPrefix(strings.ToLower(s), "www.") {
		s = "https://" + s
	}
	return url.Parse(s)
}

// openLink opens a link from a message from peer. Links from peers outside
// the organisation and its partners ask first, showing the real target.
func (a *App) openLink(link, peer string, outgoing bool) {
	u, err := linkURL(link)
	if err != nil {
		a.lastErr = lang.L("Cannot open the link {{.Link}}: {{.Err}}", tv{"Link": link, "Err": err.Error()})
		a.refreshBannerQuiet()
		return
	}
	t := a.roster.Trust(peer)
	if outgoing || !LinksNeedConfirmation(t) {
		_ = a.openURL(u)
		return
	}
	target := widget.NewLabel(link)
	target.Wrapping = fyne.TextWrapBreak
	target.TextStyle = fyne.TextStyle{Monospace: true}
	host := u.Hostname()
	msg := lang.L("This link is in a message from {{.Who}}. It goes to:", tv{"Who": trustWords(t, peer)})
	items := []fyne.CanvasObject{widgetLabelWrap(msg), target}
	if host != "" {
		items = append(items, widgetLabelWrap(lang.L("Site: {{.Host}}. Open it in your browser only if you expected it.", tv{"Host": host})))
	}
	d := dialog.NewCustomConfirm(lang.L("Open a link from an external contact?"), lang.L("Open link"), lang.L("Cancel"),
		containerVBox(items...), func(yes bool) {
			a.warned("external_link", peer, link, yes)
			if yes {
				_ = a.openURL(u)
			}
		}, a.win)
	d.Resize(fyne.NewSize(520, d.MinSize().Height))
	d.Show()
}
