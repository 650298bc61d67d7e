// Package ui is Palisade's Fyne GUI: the sign-in screen, the roster, the chat
// pane and the connection banner. It consumes events from an event.Backend and
// issues commands to it; every write to a widget from outside the Fyne event
// loop goes through the single dispatcher (see dispatch.go), which uses fyne.Do.
//
// Layout of the package:
//
//   - api.go, app.go: the entry points (Run, New, App) and the event loop
//     side of the dispatcher (App.apply), which applies a batch of events
//     to the view-models and refreshes each affected view once.
//   - dispatch.go: the dispatcher goroutine (one per backend) that drains
//     the event channel in batches, and onUI, the one place that calls
//     fyne.Do.
//   - roster_model.go, chat_model.go, conn_model.go, jid.go: view-models and
//     validation. Plain data, no widgets, unit-tested without a display.
//   - trust.go, requests_model.go, profile_model.go: the words and states of
//     the policy surfaces (badges, banners, composer hints, notification
//     prefixes, message requests, links, the profile, notices, bulletins),
//     also plain data.
//   - signin.go, main_view.go, chat_view.go, composer.go, contacts.go,
//     presence.go, trust_view.go: the widgets; trust_app.go: the actions
//     behind them (confirming a first message, opening a link, accepting
//     or blocking a request, importing a profile).
//   - file_model.go, file_app.go, file_view.go, thumb.go: files in a
//     conversation (Attach, drag and drop, progress, Cancel, Send again,
//     Download, Scan again, Open once scanned clean, thumbnails of clean
//     images only; Ctrl+V of an image, read through Options.ClipboardImage
//     because Fyne's clipboard carries text only);
//     gate_view.go: the lookalike interstitial shown before a lookalike's
//     conversation.
//   - room_model.go, room_view.go, room_app.go: group chat. The sidebar's
//     Rooms section (joined and bookmarked rooms, private chats in rooms,
//     invitations with Join / Decline), the room pane shown in the chat's
//     place (topic, the session's room banner, occupants with their trust
//     badges and real address or "JID hidden by the room", lines with the
//     sender's nickname and badge), Join / Create / Invite / topic / Leave.
//     A private message inside a room is its own conversation (key
//     room@service/nick), marked as such, never a direct chat.
//   - history_app.go: the search panel (Ctrl+Shift+F, all chats or the
//     open one; a result opens its conversation around the message,
//     highlighted), the export dialog (JSON Lines or HTML, optional dates,
//     a save dialog; the notice names the count and the path), archive
//     pages merged into conversations ("Earlier messages", scrolling up in
//     a room). Messages from MAM catch-up (Archived) are never notified.
//   - identity.go, identity_view.go, identity_app.go: identities. The
//     identity mark beside every trust badge (verified with the certified
//     person, organisation and CA; not verified; red when expired, revoked
//     or naming someone else), a click away from the certificate details
//     (GetCertificates); the banner after an identity change, with the
//     composer, Send and Attach locked until "I have checked this"
//     (AckIdentity); the signature line on received messages; the account
//     panel's device enrolment (Request certificate, Export request…,
//     Import certificate…; a lost key also at the top of the window) and
//     the server certificate with what it chains to.
//   - focus_view.go: focus hours and the route. A strip under the banner
//     while the connection goes through Tor or focus is on ("Through Tor",
//     "Focus until 16:00 · 2 held"), the focus settings dialog (weekly
//     rule, who reaches me, Focus now / End focus) and the connection
//     route dialog (Connect through Tor where the profile allows), both
//     also in Settings. Held messages are notified once, as a summary.
//   - tray.go, notify*.go, window_state.go, shortcuts.go: desktop
//     integration. The system tray (unread count in its first item and as
//     a badge on the icon, quick statuses, Focus now…, Open, Quit; the
//     menu is a pure model, trayMenuModel); notifications that open their
//     conversation when clicked (the freedesktop service over D-Bus on
//     Linux, Fyne's notification elsewhere); the window's size kept in
//     the preferences; the keyboard shortcuts and their list (Ctrl+/).
//   - i18n.go, translations/en.json, fr.json: every text of the window
//     goes through lang.L (Fyne's translation support) with the English
//     text as its key; the language is the system's unless the Language
//     setting (Settings, the ui.language preference) forces English or
//     French, applied at the next start. Texts from the session (reasons,
//     refusals, lesson content) are shown as the session sends them.
//   - uidemo: a scripted demo backend; internal/demo runs the GUI on it
//     for screenshots. Neither is product code.
//
// Trust: every event about a peer carries the policy's verdict
// (event.Trust); the roster keeps the latest one per peer and every surface
// (roster badge, chat header banner, composer hint, attach control,
// notification, link confirmation) shows that verdict in words. The GUI
// never classifies a domain or decides whether a file may go: the session
// does, and a refusal comes back as an event.Refused shown where it
// happened.
//
// This package must not import the session package, mellium or any XMPP code:
// it never sees a stanza. It shows decisions made elsewhere; it makes none.
package ui
