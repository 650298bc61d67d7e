//go:build !nogui

package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"golang.design/x/clipboard"

	"github.com/palisade-im/palisade/assets"
	"github.com/palisade-im/palisade/cmd/client/internal/cli"
	"github.com/palisade-im/palisade/event"
	"github.com/palisade-im/palisade/ui"
)

// AppID identifies the application to the OS (preferences, notifications).
const AppID = "im.palisade.client"

var runGUI = func(g cli.GUI) int {
	if cLocale(os.Getenv) {
		os.Setenv("LANGUAGE", "en")
	}
	a := app.NewWithID(AppID)
	if a.Icon() == nil { // not built by the fyne tool: the installed icon (window, tray)
		if r := installedIcon(); r != nil {
			a.SetIcon(r)
		} else {
			a.SetIcon(fyne.NewStaticResource(AppID+".png", assets.Icon))
		}
	}
	// The language setting (Settings, ui.LanguagePref) is applied by the
	// GUI at start; the training content follows it too.
	ui.Run(a, uiOptions(g, ui.NormalizeLanguage(a.Preferences().String(ui.LanguagePref))))
	return cli.ExitOK
}

// cLocale reports whether the locale is C or POSIX with a character set
// ("C.UTF-8", Debian's default in containers) and LANGUAGE is unset: that
// names no language, and Fyne logs that it cannot parse it each time
// translations are loaded (once already while its package starts, which
// nothing here can precede). Setting LANGUAGE (which only chooses the
// language of messages) to English says what such a locale means and
// keeps the later loads quiet.
func cLocale(getenv func(string) string) bool {
	if getenv("LANGUAGE") != "" {
		return false
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			return strings.HasPrefix(v, "C.") || strings.HasPrefix(v, "POSIX.")
		}
	}
	return false
}

// uiOptions are the GUI's options; lang is the language setting, "" for
// the system's.
func uiOptions(g cli.GUI, lang string) ui.Options {
	return ui.Options{
		Prefill:    toUI(g.Prefill),
		AutoSignIn: g.AutoSignIn,
		Connect: func(s ui.SignIn) (event.Backend, error) {
			in := fromUI(s)
			in.Lang = lang
			return g.Connect(in)
		},
		Notice:         g.Notice,
		ClipboardImage: clipboardImage,
	}
}

var clipboardInit = sync.OnceValue(clipboard.Init)

// clipboardImage reads a PNG image from the system clipboard, for pasting
// pictures into a chat (Fyne's own clipboard holds text only). Without an
// image clipboard (no X11 library, no display) it returns nil and Ctrl+V
// pastes text as usual.
func clipboardImage() []byte {
	if clipboardInit() != nil {
		return nil
	}
	return clipboard.Read(clipboard.FmtImage)
}

func toUI(s cli.SignIn) ui.SignIn {
	return ui.SignIn{JID: s.JID, Password: s.Password, Remember: s.Remember, Server: s.Server, DirectTLS: s.DirectTLS, CAFile: s.CAFile}
}

func fromUI(s ui.SignIn) cli.SignIn {
	return cli.SignIn{JID: s.JID, Password: s.Password, Remember: s.Remember, Server: s.Server, DirectTLS: s.DirectTLS, CAFile: s.CAFile}
}

// installedIcon is the application icon the packages install beside the
// binary (PREFIX/bin/palisade, PREFIX/share/icons/hicolor/512x512/apps), or
// nil when there is none.
func installedIcon() fyne.Resource {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	dir := filepath.Dir(exe)
	for _, p := range []string{
		filepath.Join(dir, "..", "share", "icons", "hicolor", "512x512", "apps", AppID+".png"),
		filepath.Join(dir, "..", "share", "pixmaps", AppID+".png"),
	} {
		if r, err := fyne.LoadResourceFromPath(p); err == nil {
			return r
		}
	}
	return nil
}
