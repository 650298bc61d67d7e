package ui

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
)

func widgetLabelWrap(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func containerVBox(objs ...fyne.CanvasObject) *fyne.Container { return container.NewVBox(objs...) }

// chip is a small rounded badge: the trust mark beside a name, and the
// identity mark beside it (id; one click opens the certificates).
type chip struct {
	root *fyne.Container
	org  *fyne.Container
	bg   *canvas.Rectangle
	icon *widget.Icon
	text *canvas.Text
	kind BadgeKind
	id   *idMark
}

func newChip() *chip {
	c := &chip{}
	c.bg = canvas.NewRectangle(color.Transparent)
	c.bg.CornerRadius = 4
	c.icon = widget.NewIcon(nil)
	c.icon.Hide()
	c.text = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	c.text.TextSize = theme.CaptionTextSize()
	c.text.TextStyle = fyne.TextStyle{Bold: true}
	inner := container.New(layout.NewCustomPaddedHBoxLayout(2), c.icon, c.text)
	c.org = container.NewStack(c.bg, container.New(layout.NewCustomPaddedLayout(1, 1, 5, 5), inner))
	c.id = newIDMark()
	c.root = container.NewCenter(container.New(layout.NewCustomPaddedHBoxLayout(4), c.org, c.id))
	c.root.Hide()
	return c
}

// newFullChip is a chip whose identity mark says everything it knows
// ("Verified · Alice Martin · ACME (ACME Identity CA)"): the chat header's.
func newFullChip() *chip {
	c := newChip()
	c.id.full = true
	return c
}

// chipColours are a badge kind's background and text colours.
func chipColours(k BadgeKind) (bg, fg color.Color) {
	switch k {
	case BadgePartner:
		return withAlpha(theme.Color(theme.ColorNamePrimary), 0x38), theme.Color(theme.ColorNameForeground)
	case BadgeExternal:
		return withAlpha(theme.Color(theme.ColorNameWarning), 0x55), theme.Color(theme.ColorNameForeground)
	case BadgeDanger:
		return theme.Color(theme.ColorNameError), theme.Color(theme.ColorNameForegroundOnError)
	case BadgeBlocked:
		return withAlpha(theme.Color(theme.ColorNameDisabled), 0x40), theme.Color(theme.ColorNameDisabled)
	case BadgeInternal:
		return withAlpha(theme.Color(theme.ColorNameSuccess), 0x30), theme.Color(theme.ColorNameForeground)
	}
	return color.Transparent, theme.Color(theme.ColorNameForeground)
}

// badgeIcon is the icon drawn in a badge.
func badgeIcon(i BadgeIcon) fyne.Resource {
	switch i {
	case IconInternal:
		return theme.HomeIcon()
	case IconPartner:
		return theme.AccountIcon()
	case IconExternal:
		return theme.QuestionIcon()
	case IconGateway:
		return theme.MailForwardIcon()
	case IconLookalike:
		return theme.NewColoredResource(theme.WarningIcon(), theme.ColorNameForegroundOnError)
	case IconBlocked:
		return theme.NewDisabledResource(theme.CancelIcon())
	}
	return nil
}

func (c *chip) set(b Badge) {
	c.kind = b.Kind
	c.id.set(b.Identity)
	if b.Kind == BadgeNone || b.Text == "" {
		c.org.Hide()
		c.text.Text = ""
		if c.id.Visible() {
			c.root.Show()
			c.root.Refresh()
		} else {
			c.root.Hide()
		}
		return
	}
	c.org.Show()
	bg, fg := chipColours(b.Kind)
	c.bg.FillColor = bg
	c.bg.Refresh()
	c.text.Text = b.Text
	c.text.Color = fg
	c.text.Refresh()
	if r := badgeIcon(b.Icon); r != nil {
		c.icon.SetResource(r)
		c.icon.Show()
	} else {
		c.icon.Hide()
	}
	c.root.Show()
	c.root.Refresh()
}

// tintBanner is a coloured strip with an icon and wrapped text; the
// colour always comes with words.
type tintBanner struct {
	root  *fyne.Container
	bg    *canvas.Rectangle
	icon  *widget.Icon
	title *widget.Label // bold; hidden when empty
	text  *widget.Label
	words *fyne.Container // title and text, or other words (setWords)
	right *fyne.Container
	kind  BannerKind
}

func newTintBanner(right ...fyne.CanvasObject) *tintBanner {
	b := &tintBanner{}
	b.bg = canvas.NewRectangle(color.Transparent)
	b.bg.CornerRadius = theme.InputRadiusSize()
	b.icon = widget.NewIcon(theme.InfoIcon())
	b.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	b.title.Wrapping = fyne.TextWrapWord
	b.title.Hide()
	b.text = widget.NewLabel("")
	b.text.Wrapping = fyne.TextWrapWord
	b.right = container.NewHBox(right...)
	b.words = container.New(&tightVBox{}, b.title, b.text)
	b.root = container.NewStack(b.bg, container.NewBorder(nil, nil, container.NewCenter(b.icon), container.NewCenter(b.right), b.words))
	b.root.Hide()
	return b
}

func bannerLook(k BannerKind) (fyne.ThemeColorName, fyne.Resource, uint8) {
	switch k {
	case BannerSuccess:
		return theme.ColorNameSuccess, theme.NewSuccessThemedResource(theme.ConfirmIcon()), 0x40
	case BannerWarning:
		return theme.ColorNameWarning, theme.NewWarningThemedResource(theme.WarningIcon()), 0x50
	case BannerError:
		return theme.ColorNameError, theme.NewErrorThemedResource(theme.ErrorIcon()), 0x60
	}
	return theme.ColorNamePrimary, theme.InfoIcon(), 0x30
}

func (b *tintBanner) set(k BannerKind, text string) { b.setTitled(k, "", text) }

// setTitled shows a bold title line above the text.
func (b *tintBanner) setTitled(k BannerKind, title, text string) {
	if k == BannerHidden || (text == "" && title == "") {
		b.kind = k
		b.root.Hide()
		return
	}
	b.look(k)
	b.title.SetText(title)
	b.title.Hidden = title == ""
	b.text.SetText(text)
	b.text.Hidden = text == ""
	// Without a title, an error's text is the strong line itself.
	b.text.TextStyle = fyne.TextStyle{Bold: k == BannerError && title == ""}
	b.text.Refresh()
	b.root.Show()
	b.root.Refresh()
}

// setWords shows other words (a rich text) in the banner's place for text.
func (b *tintBanner) setWords(k BannerKind, words fyne.CanvasObject) {
	b.look(k)
	b.words.Objects = []fyne.CanvasObject{words}
	b.words.Refresh()
	b.root.Show()
}

// look colours the banner for kind k.
func (b *tintBanner) look(k BannerKind) {
	b.kind = k
	c, icon, alpha := bannerLook(k)
	b.bg.FillColor = withAlpha(theme.Color(c), alpha)
	if k == BannerError {
		b.bg.StrokeColor = theme.Color(theme.ColorNameError)
		b.bg.StrokeWidth = 2
	} else {
		b.bg.StrokeWidth = 0
	}
	b.bg.Refresh()
	b.icon.SetResource(icon)
}

// refreshRequests redraws the Requests area (message requests from
// strangers) and the contact (subscription) requests under it. The area is
// compact and folds to its header line, so the roster keeps its room.
func (v *mainView) refreshRequests() {
	v.requests.RemoveAll()
	if reqs := v.app.requests.List(); len(reqs) > 0 {
		icon := theme.MenuDropDownIcon()
		if v.requestsFolded {
			icon = theme.MenuExpandIcon()
		}
		head := widget.NewButtonWithIcon(lang.L("Requests ({{.N}})", tv{"N": len(reqs)}), icon, func() {
			v.requestsFolded = !v.requestsFolded
			v.refreshRequests()
		})
		head.Alignment = widget.ButtonAlignLeading
		head.Importance = widget.LowImportance
		line := fyne.CanvasObject(head)
		if v.requestsFolded {
			// Folded: who is waiting, on the header line.
			var who []string
			for _, r := range reqs {
				who = append(who, bareJID(r.JID))
			}
			names := widget.NewLabel(strings.Join(who, ", "))
			names.Truncation = fyne.TextTruncateEllipsis
			names.SizeName = theme.SizeNameCaptionText
			line = container.NewBorder(nil, nil, head, nil, names)
		}
		v.requests.Add(small(line))
		if !v.requestsFolded {
			for i, r := range reqs {
				if i == maxRequestsShown {
					more := widget.NewLabel(lang.L("and {{.N}} more", tv{"N": len(reqs) - i}))
					more.SizeName = theme.SizeNameCaptionText
					v.requests.Add(more)
					break
				}
				v.requests.Add(v.requestCard(r, len(reqs) == 1))
			}
		}
		v.requests.Add(widget.NewSeparator())
	}
	v.refreshSubscriptionRequests()
	v.requests.Refresh()
}

// maxRequestsShown bounds the requests listed at once, so the roster keeps
// its room; the rest follow when these are answered.
const maxRequestsShown = 2

// requestPreviewRunes bounds a request's preview: about two lines of the
// left pane; the whole message is in the conversation once accepted.
const requestPreviewRunes = 90

// requestPreview is the text of a request's preview: the last message,
// plain text only (links are not links here), cut short, with the number of
// earlier ones.
func requestPreview(r MessageRequest) string {
	if len(r.Messages) == 0 {
		return ""
	}
	m := r.Messages[len(r.Messages)-1]
	b := strings.Join(strings.Fields(m.Body), " ")
	if rs := []rune(b); len(rs) > requestPreviewRunes {
		b = strings.TrimSpace(string(rs[:requestPreviewRunes])) + "…"
	}
	s := "“" + b + "”"
	if n := len(r.Messages) - 1; n > 0 {
		s += " " + lang.L("(and {{.N}} earlier)", tv{"N": n})
	}
	return s
}

// requestCard is one request: who, the trust badge, the preview (two lines
// when it is the only request, else one) and the answers.
func (v *mainView) requestCard(r MessageRequest, alone bool) fyne.CanvasObject {
	a := v.app
	jid := r.JID
	who := widget.NewLabelWithStyle(jid, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	who.Truncation = fyne.TextTruncateEllipsis
	c := newChip()
	c.set(TrustBadge(r.Trust, jid))
	// The preview is a plain label: a link in it is only text, never a
	// hyperlink, until the user accepts the sender.
	preview := widget.NewLabel(requestPreview(r))
	if alone {
		preview.Wrapping = fyne.TextWrapWord
	} else {
		preview.Truncation = fyne.TextTruncateEllipsis
	}
	preview.SizeName = theme.SizeNameCaptionText
	accept := widget.NewButtonWithIcon(lang.L("Accept"), theme.ConfirmIcon(), func() { a.acceptRequest(jid) })
	accept.Importance = widget.HighImportance
	blockC := widget.NewButton(lang.L("Block contact"), func() { a.block(jid) })
	blockD := widget.NewButton(lang.L("Block domain"), func() { a.block(domainOf(jid)) })
	blockC.Importance, blockD.Importance = widget.DangerImportance, widget.DangerImportance
	buttons := container.NewGridWithColumns(3, accept, blockC, blockD)
	bg := canvas.NewRectangle(withAlpha(theme.Color(theme.ColorNameWarning), 0x22))
	if r.Trust.Class == event.ClassLookalike {
		bg.FillColor = withAlpha(theme.Color(theme.ColorNameError), 0x30)
	}
	bg.CornerRadius = theme.InputRadiusSize()
	card := container.New(&tightVBox{}, container.NewBorder(nil, nil, nil, c.root, who), preview, buttons)
	return small(container.NewStack(bg, container.New(layout.NewCustomPaddedLayout(2, 3, 2, 2), card)))
}

// small draws o with smaller text and padding: the Requests area's and the
// bulletin banners' controls, so that they leave the roster its room.
func small(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewThemeOverride(o, smallTheme{})
}

// smallTheme is the app's theme with caption-sized text and tighter padding.
type smallTheme struct{}

func (smallTheme) base() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }

func (t smallTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return t.base().Color(n, v)
}
func (t smallTheme) Font(s fyne.TextStyle) fyne.Resource     { return t.base().Font(s) }
func (t smallTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base().Icon(n) }
func (t smallTheme) Size(n fyne.ThemeSizeName) float32 {
	b := t.base()
	switch n {
	case theme.SizeNameText:
		return b.Size(theme.SizeNameCaptionText) + 1
	case theme.SizeNameInnerPadding:
		return b.Size(n) / 2
	case theme.SizeNamePadding:
		return b.Size(n) / 2
	case theme.SizeNameInlineIcon:
		return b.Size(n) * 3 / 4
	}
	return b.Size(n)
}

// refreshSubscriptionRequests lists who asked to see the user's presence.
func (v *mainView) refreshSubscriptionRequests() {
	reqs := v.app.roster.Requests()
	if len(reqs) == 0 {
		return
	}
	v.requests.Add(widget.NewLabelWithStyle(lang.L("Contact requests"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, r := range reqs {
		r := r
		text := lang.L("{{.JID}} wants to see when you are online.", tv{"JID": r.From})
		if r.Status != "" {
			text += " “" + r.Status + "”"
		}
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		c := newChip()
		c.set(TrustBadge(v.app.roster.Trust(r.From), r.From))
		approve := widget.NewButtonWithIcon(lang.L("Approve"), theme.ConfirmIcon(), func() {
			v.app.do(event.Approve{JID: r.From})
			v.app.roster.RemoveRequest(r.From)
			v.refreshRequests()
		})
		approve.Importance = widget.HighImportance
		decline := widget.NewButtonWithIcon(lang.L("Decline"), theme.CancelIcon(), func() {
			v.app.do(event.Decline{JID: r.From})
			v.app.roster.RemoveRequest(r.From)
			v.refreshRequests()
		})
		v.requests.Add(container.NewVBox(l, container.NewHBox(c.root, layout.NewSpacer(), decline, approve)))
	}
	v.requests.Add(widget.NewSeparator())
}

// refreshProfile redraws what depends on the profile and the bulletins:
// the bulletin banners, the profile notices, the settings panel if open.
func (v *mainView) refreshProfile() {
	a := v.app
	v.bulletins.RemoveAll()
	active := a.profile.ActiveBulletins(a.now())
	for i, b := range active {
		b := b
		if i == maxBulletinBanners {
			words := lang.L("{{.N}} more bulletins from IT", tv{"N": len(active) - i})
			if len(active)-i == 1 {
				words = lang.L("1 more bulletin from IT")
			}
			more := widget.NewButtonWithIcon(words, theme.WarningIcon(), v.showBulletins)
			more.Importance = widget.WarningImportance
			v.bulletins.Add(container.NewHBox(more))
			break
		}
		v.bulletins.Add(v.bulletinBanner(b))
	}
	v.bulletins.Refresh()

	v.notices.RemoveAll()
	for _, n := range a.profile.Notices() {
		n := n
		dismiss := widget.NewButtonWithIcon("", theme.CancelIcon(), func() {
			a.profile.DismissNotice(n.ID)
			v.refreshProfile()
		})
		dismiss.Importance = widget.LowImportance
		tb := newTintBanner(dismiss)
		k := BannerInfo
		switch n.Kind {
		case NoticeWarning:
			k = BannerWarning
		case NoticeError:
			k = BannerError
		case NoticeSuccess:
			k = BannerSuccess
		}
		tb.set(k, n.Text)
		v.notices.Add(tb.root)
	}
	if w := a.profile.ExpiredWarning(); w != "" {
		tb := newTintBanner()
		tb.set(BannerWarning, w)
		v.notices.Add(tb.root)
	}
	v.notices.Refresh()

	if n := len(a.profile.Bulletins()); n > 0 {
		v.bulletinsBtn.SetText(lang.L("Bulletins ({{.N}})", tv{"N": n}))
	} else {
		v.bulletinsBtn.SetText(lang.L("Bulletins"))
	}
	if v.settings != nil {
		v.fillSettings()
	}
	if a.active != "" {
		v.chat.refreshHeader() // the banners name the organisation
	}
	if v.bulletinList != nil {
		v.fillBulletinList()
	}
}

// bulletinBanner is one bulletin as a compact banner: the severity and
// title in bold and the start of the body on one line; "More" shows the
// whole text in place, and the Bulletins list keeps it to reread.
func (v *mainView) bulletinBanner(b event.Bulletin) fyne.CanvasObject {
	a := v.app
	open := v.bulletinOpen[b.ID]
	dismiss := widget.NewButtonWithIcon(lang.L("Dismiss"), theme.CancelIcon(), func() {
		a.profile.DismissBulletin(b.ID)
		a.do(event.DismissBulletin{ID: b.ID})
		delete(v.bulletinOpen, b.ID)
		v.refreshProfile()
	})
	dismiss.Importance = widget.LowImportance
	title := lang.L("Notice from IT: {{.Title}}", tv{"Title": b.Title})
	switch b.Severity {
	case "critical":
		title = lang.L("Critical from IT: {{.Title}}", tv{"Title": b.Title})
	case "warning":
		title = lang.L("Warning from IT: {{.Title}}", tv{"Title": b.Title})
	}
	body := strings.TrimSpace(b.Body)
	right := []fyne.CanvasObject{}
	if body != "" {
		word, icon := lang.L("More"), theme.MenuExpandIcon()
		if open {
			word, icon = lang.L("Less"), theme.MenuDropUpIcon()
		}
		more := widget.NewButtonWithIcon(word, icon, func() {
			v.bulletinOpen[b.ID] = !v.bulletinOpen[b.ID]
			v.refreshProfile()
		})
		more.Importance = widget.LowImportance
		right = append(right, more)
	}
	right = append(right, dismiss)
	tb := newTintBanner(container.NewHBox(right...))
	words := widget.NewRichText(&widget.TextSegment{Text: title, Style: widget.RichTextStyleStrong})
	if body != "" {
		sep := " — "
		style := widget.RichTextStyleInline
		if open {
			sep = ""
			style = widget.RichTextStyleParagraph
		}
		words.Segments[0].(*widget.TextSegment).Style.Inline = !open
		words.Segments = append(words.Segments, &widget.TextSegment{Text: sep + body, Style: style})
	}
	if open {
		words.Wrapping = fyne.TextWrapWord
	} else {
		words.Truncation = fyne.TextTruncateEllipsis
	}
	tb.setWords(severityKind(b.Severity), words)
	return small(tb.root)
}

// maxBulletinBanners is how many bulletin banners show at once (newest
// first); the rest are a button away, so the roster keeps its room.
const maxBulletinBanners = 2

// showSettings opens the settings and account panel.
func (v *mainView) showSettings() {
	a := v.app
	v.settings = container.NewVBox()
	v.fillSettings()
	scroll := container.NewVScroll(v.settings)
	scroll.SetMinSize(fyne.NewSize(600, 480))
	d := dialog.NewCustom(lang.L("Settings"), lang.L("Close"), scroll, a.win)
	d.SetOnClosed(func() { v.settings, v.enrolButtons = nil, nil })
	d.Show()
	a.do(event.GetEnrolment{})
}

// fillSettings writes the settings panel's contents from the profile.
func (v *mainView) fillSettings() {
	a := v.app
	p := a.profile
	box := v.settings
	box.RemoveAll()
	box.Add(widget.NewLabelWithStyle(lang.L("Account"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	box.Add(widget.NewLabel(a.self))
	box.Add(widget.NewSeparator())
	v.fillAccountIdentity(box)
	box.Add(widget.NewSeparator())
	a.fillLanguageSetting(box) // i18n.go
	box.Add(widget.NewSeparator())
	a.fillFocusSettings(box) // focus hours and the connection route (focus_view.go)
	a.fillTraining(box)      // training_view.go

	icon := theme.InfoIcon()
	if p.Known && p.Profile.Managed {
		icon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
	}
	managed := widget.NewLabelWithStyle(p.ManagedLine(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	managed.Wrapping = fyne.TextWrapWord
	box.Add(container.NewBorder(nil, nil, widget.NewIcon(icon), nil, managed))
	if lines := p.DetailLines(); len(lines) > 0 {
		dl := widget.NewLabel(strings.Join(lines, "\n"))
		dl.SizeName = theme.SizeNameCaptionText
		box.Add(dl)
	}
	if w := p.ExpiredWarning(); w != "" {
		wl := widgetLabelWrap(w)
		wl.Importance = widget.WarningImportance
		box.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon())), nil, wl))
	}
	if len(p.LastChanges) > 0 {
		ch := widget.NewLabel(lang.L("Changed in profile {{.Serial}}:", tv{"Serial": p.LastSerial}) + "\n• " + strings.Join(p.LastChanges, "\n• "))
		ch.Wrapping = fyne.TextWrapWord
		ch.SizeName = theme.SizeNameCaptionText
		box.Add(ch)
	}
	imp := widget.NewButtonWithIcon(lang.L("Import profile…"), theme.FolderOpenIcon(), a.importProfile)
	box.Add(container.NewHBox(imp))
	box.Add(widget.NewSeparator())

	rows := p.Settings()
	box.Add(widget.NewLabelWithStyle(lang.L("Effective settings"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	if len(rows) == 0 {
		box.Add(widget.NewLabel(lang.L("No settings reported.")))
	}
	for _, r := range rows {
		name := widget.NewLabel(r.Label)
		var val, status fyne.CanvasObject
		if r.Locked {
			// A locked setting is a control the user cannot use, with the
			// lock and the words beside it.
			e := widget.NewEntry()
			e.SetText(r.Value)
			e.Disable()
			val = e
			status = container.NewHBox(widget.NewIcon(lockIcon()), widget.NewLabel(lang.L("Locked by IT")))
		} else {
			val = widget.NewLabel(r.Value)
			status = layout.NewSpacer()
		}
		box.Add(container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(190, name.MinSize().Height), name), status, val))
	}
	box.Refresh()
}

// lockIcon is the padlock shown beside a setting IT locked (Material
// Design's "lock", which Fyne's theme does not have).
func lockIcon() fyne.Resource { return theme.NewThemedResource(lockSVG) }

var lockSVG = fyne.NewStaticResource("lock.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M18 8h-1V6c0-2.76-2.24-5-5-5S7 3.24 7 6v2H6c-1.1 0-2 .9-2 2v10c0 1.1.9 2 2 2h12c1.1 0 2-.9 2-2V10c0-1.1-.9-2-2-2zm-6 9c-1.1 0-2-.9-2-2s.9-2 2-2 2 .9 2 2-.9 2-2 2zm3.1-9H8.9V6c0-1.71 1.39-3.1 3.1-3.1 1.71 0 3.1 1.39 3.1 3.1v2z"/></svg>`))

// showBulletins opens the list of every bulletin kept, to reread them.
func (v *mainView) showBulletins() {
	a := v.app
	v.bulletinList = container.NewVBox()
	v.fillBulletinList()
	scroll := container.NewVScroll(v.bulletinList)
	scroll.SetMinSize(fyne.NewSize(560, 380))
	d := dialog.NewCustom(lang.L("Security bulletins from IT"), lang.L("Close"), scroll, a.win)
	d.SetOnClosed(func() { v.bulletinList = nil })
	d.Show()
	a.do(event.GetBulletins{})
}

func (v *mainView) fillBulletinList() {
	box := v.bulletinList
	box.RemoveAll()
	bs := v.app.profile.Bulletins()
	if len(bs) == 0 {
		box.Add(widget.NewLabel(lang.L("No bulletins.")))
	}
	for _, b := range bs {
		head := severityWord(b.Severity) + " · " + b.Title
		if !b.IssuedAt.IsZero() {
			head += " · " + formatDate(b.IssuedAt.Local(), "2 Jan 2006 15:04")
		}
		if b.Dismissed {
			head += " · " + lang.L("dismissed")
		}
		_, icon, _ := bannerLook(severityKind(b.Severity))
		h := widget.NewLabelWithStyle(head, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		h.Wrapping = fyne.TextWrapWord
		box.Add(container.NewBorder(nil, nil, widget.NewIcon(icon), nil, h))
		box.Add(widgetLabelWrap(b.Body))
		box.Add(widget.NewSeparator())
	}
	box.Refresh()
}
