package ui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/palisade-im/palisade/event"
)

// showAddContact asks for an address, a name and a group, and sends
// AddContact. The roster push that follows adds the row.
func (a *App) showAddContact(jid, name string) {
	jidE := widget.NewEntry()
	jidE.SetPlaceHolder(lang.L("bob@example.com"))
	jidE.SetText(jid)
	jidE.Validator = func(s string) error {
		if msg := validateJID(s); msg != "" {
			return errors.New(msg)
		}
		return nil
	}
	nameE := widget.NewEntry()
	nameE.SetPlaceHolder(lang.L("optional"))
	nameE.SetText(name)
	groupE := widget.NewEntry()
	groupE.SetPlaceHolder(lang.L("optional, e.g. Engineering"))
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Address"), jidE),
		widget.NewFormItem(lang.L("Name"), nameE),
		widget.NewFormItem(lang.L("Group"), groupE),
	}
	d := dialog.NewForm(lang.L("Add contact"), lang.L("Add"), lang.L("Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		c := event.AddContact{JID: strings.TrimSpace(jidE.Text), Name: strings.TrimSpace(nameE.Text)}
		if g := strings.TrimSpace(groupE.Text); g != "" {
			c.Groups = []string{g}
		}
		a.do(c)
	}, a.win)
	d.Resize(fyne.NewSize(440, d.MinSize().Height))
	d.Show()
	a.win.Canvas().Focus(jidE)
}

// confirmRemove asks before removing jid from the roster.
func (a *App) confirmRemove(jid string) {
	c := a.roster.Contact(jid)
	msg := lang.L("Remove {{.Name}} ({{.JID}}) from your contacts?", tv{"Name": c.DisplayName(), "JID": c.JID}) + "\n" + lang.L("You will no longer see each other's presence.")
	dialog.ShowConfirm(lang.L("Remove contact"), msg, func(ok bool) {
		if ok {
			a.do(event.RemoveContact{JID: c.JID})
		}
	}, a.win)
}
