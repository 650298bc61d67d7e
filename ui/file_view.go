package ui

import (
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// fileBox is a file in the chat: name, size, who, a progress bar while it
// moves, what happened in words, and the buttons that apply. The remote URL
// is never shown as a link: the session fetches (or not), the user only
// opens the local copy once it was scanned clean.
type fileBox struct {
	app  *App // nil for the box that only measures
	item *FileItem

	root   *fyne.Container
	bg     *canvas.Rectangle
	icon   *widget.Icon
	name   *widget.Label
	meta   *widget.Label
	trust  *chip
	bar    *widget.ProgressBar
	status *widget.Label
	detail *widget.Label // the scanner's words, smaller
	warn   *widget.Label
	thumb  *canvas.Image
	thumbs *fyne.Container

	cancel, again, download, open, folder, scan *widget.Button
	buttons                                     *fyne.Container
}

func newFileBox(a *App) *fileBox {
	b := &fileBox{app: a}
	b.bg = canvas.NewRectangle(withAlpha(theme.Color(theme.ColorNameForeground), 0x0c))
	b.bg.CornerRadius = theme.InputRadiusSize()
	b.bg.StrokeWidth = 1
	b.bg.StrokeColor = withAlpha(theme.Color(theme.ColorNameForeground), 0x30)
	b.icon = widget.NewIcon(theme.FileIcon())
	b.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	b.name.Truncation = fyne.TextTruncateEllipsis
	b.meta = widget.NewLabel("")
	b.meta.SizeName = theme.SizeNameCaptionText
	b.meta.Truncation = fyne.TextTruncateEllipsis
	b.trust = newChip()
	b.bar = widget.NewProgressBar()
	b.status = widget.NewLabel("")
	b.status.Wrapping = fyne.TextWrapWord
	b.detail = widget.NewLabel("")
	b.detail.Wrapping = fyne.TextWrapWord
	b.detail.SizeName = theme.SizeNameCaptionText
	b.warn = widget.NewLabel("")
	b.warn.Wrapping = fyne.TextWrapWord
	b.warn.Importance = widget.WarningImportance
	b.thumb = canvas.NewImageFromImage(nil)
	b.thumb.FillMode = canvas.ImageFillContain
	b.thumb.ScaleMode = canvas.ImageScaleSmooth
	b.thumbs = container.NewHBox(b.thumb)
	act := func(f func(*App, *FileItem)) func() {
		return func() {
			if b.app != nil && b.item != nil {
				f(b.app, b.item)
			}
		}
	}
	b.cancel = widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), act((*App).cancelFile))
	b.again = widget.NewButtonWithIcon(lang.L("Send again"), theme.ViewRefreshIcon(), act((*App).sendAgain))
	b.download = widget.NewButtonWithIcon(lang.L("Download"), theme.DownloadIcon(), act((*App).downloadFile))
	b.download.Importance = widget.HighImportance
	b.open = widget.NewButtonWithIcon(lang.L("Open"), theme.FileIcon(), act((*App).openFile))
	b.folder = widget.NewButtonWithIcon(lang.L("Show in folder"), theme.FolderOpenIcon(), act((*App).showInFolder))
	b.scan = widget.NewButtonWithIcon(lang.L("Scan again"), theme.SearchIcon(), act((*App).retryScan))
	b.buttons = container.NewHBox(b.cancel, b.again, b.download, b.open, b.folder, b.scan)
	head := container.NewBorder(nil, nil, container.NewCenter(b.icon), container.NewCenter(b.trust.root),
		container.New(&tightVBox{}, b.name, b.meta))
	body := container.New(layout.NewCustomPaddedVBoxLayout(2), head, b.bar, b.status, b.detail, b.warn, b.thumbs, b.buttons)
	b.root = container.NewStack(b.bg, container.New(layout.NewCustomPaddedLayout(2, 4, 6, 6), body))
	return b
}

// set shows f. peerName names the other person for the meta line; thumb is
// the thumbnail of a clean image, nil otherwise.
func (b *fileBox) set(f *FileItem, peerName string, thumb image.Image) {
	b.item = f
	name := f.Name
	if name == "" {
		name = "(" + lang.L("file") + ")"
	}
	b.name.SetText(name)
	meta := FormatSize(f.Size)
	if f.Outgoing {
		meta += " · " + lang.L("to {{.Name}}", tv{"Name": peerName})
	} else {
		meta += " · " + lang.L("from {{.Who}}", tv{"Who": peerName + " (" + f.Peer + ")"})
	}
	b.meta.SetText(meta)
	icon := theme.FileIcon()
	if f.IsImage() {
		icon = theme.FileImageIcon()
	}
	b.icon.SetResource(icon)
	if f.Outgoing {
		b.trust.set(Badge{})
	} else {
		b.trust.set(TrustBadge(f.Trust, f.Peer))
	}

	// Progress: a bar while bytes move and the total is known.
	if f.Running() && f.Fraction() >= 0 {
		b.bar.SetValue(f.Fraction())
		b.bar.Show()
	} else if f.Running() {
		b.bar.SetValue(0)
		b.bar.Show()
	} else {
		b.bar.Hide()
	}

	b.status.SetText(f.Status())
	b.status.TextStyle = fyne.TextStyle{}
	switch f.State {
	case FileFailed:
		b.status.Importance = widget.DangerImportance
		b.status.TextStyle = fyne.TextStyle{Bold: true}
	case FileUnscanned:
		b.status.Importance = widget.WarningImportance
		b.status.TextStyle = fyne.TextStyle{Bold: true}
	case FileDone, FileClean:
		b.status.Importance = widget.SuccessImportance
	default:
		b.status.Importance = widget.MediumImportance
	}
	b.status.Refresh()
	setHint(b.detail, f.Detail())
	if f.State == FileOffer {
		b.warn.SetText(OfferWarning(f.Trust))
		b.warn.Show()
	} else {
		b.warn.Hide()
	}
	switch f.State {
	case FileFailed:
		b.bg.FillColor = withAlpha(theme.Color(theme.ColorNameError), 0x22)
		b.bg.StrokeColor = theme.Color(theme.ColorNameError)
	case FileUnscanned, FileOffer:
		b.bg.FillColor = withAlpha(theme.Color(theme.ColorNameWarning), 0x22)
		b.bg.StrokeColor = withAlpha(theme.Color(theme.ColorNameWarning), 0xa0)
	default:
		b.bg.FillColor = withAlpha(theme.Color(theme.ColorNameForeground), 0x0c)
		b.bg.StrokeColor = withAlpha(theme.Color(theme.ColorNameForeground), 0x30)
	}
	b.bg.Refresh()

	// The thumbnail: only of a clean image, never before the verdict.
	if thumb != nil && f.State == FileClean {
		b.thumb.Image = thumb
		s := thumb.Bounds().Size()
		b.thumb.SetMinSize(fyne.NewSize(float32(s.X), float32(s.Y)))
		b.thumb.Refresh()
		b.thumbs.Show()
	} else {
		b.thumb.Image = nil
		b.thumbs.Hide()
	}

	show := func(btn *widget.Button, on bool) {
		btn.Hidden = !on
	}
	show(b.cancel, f.Running())
	show(b.again, f.CanRetry())
	show(b.download, f.State == FileOffer)
	show(b.open, f.State == FileClean && f.Path != "")
	show(b.folder, f.State == FileClean && f.Path != "")
	show(b.scan, f.State == FileUnscanned)
	b.buttons.Hidden = !(f.Running() || f.CanRetry() || f.State == FileOffer || f.State == FileClean || f.State == FileUnscanned)
	b.buttons.Refresh()
	b.root.Refresh()
}

// height is the box's height at width w.
func (b *fileBox) height(w float32) float32 {
	b.root.Resize(fyne.NewSize(w, b.root.MinSize().Height))
	b.root.Resize(fyne.NewSize(w, b.root.MinSize().Height))
	return b.root.MinSize().Height
}
