// Package session is Palisade's XMPP session layer: it dials the server
// (STARTTLS or direct TLS, certificate verification), authenticates with SCRAM
// (never PLAIN), keeps the stream alive with XEP-0198 stream management and
// reconnection, and turns stanzas into typed events from package event. It
// takes commands from package event and puts them on the wire.
//
// It enforces decisions made by the pure policy packages; it makes none of its
// own about what the user may do.
//
// This package must not import Fyne or the ui package. Nothing it exports may
// mention a widget; nothing it emits may contain a stanza.
//
// # Structure
//
// One control goroutine (run) owns the connection lifecycle: it connects,
// reconnects with exponential backoff and jitter, and executes commands. Do
// appends to an unbounded command queue and never blocks. A reader goroutine
// per connection decodes stanzas into plain structs and emits events. Events
// go through a large queue to the Events channel, so a slow consumer does not
// stall the connection (and its acknowledgements); the queue is bounded
// (limits.go): past 5000 events, chat states and presence are coalesced with
// the queued ones of the same peer, and at 20000 the session waits for the
// consumer. No message, receipt or error is ever dropped.
//
// mellium.im/xmpp negotiates the stream (STARTTLS, SASL, and a custom
// resource-binding feature that resumes instead when it can). After that the
// session reads and writes the stream itself rather than through
// (*xmpp.Session).Serve: every inbound stanza must be counted for stream
// management, and every outbound one (including IQ answers, which Serve would
// write on its own) must go through the one counted write path.
//
// # Security
//
// TLS is mandatory. The certificate is verified against the system roots plus
// Config.CAFile; an untrusted one is refused with its subject, issuer and
// SHA-256 fingerprint. A server without TLS is refused (CodeNoTLS). SASL uses
// SCRAM-SHA-256-PLUS, SCRAM-SHA-1-PLUS, SCRAM-SHA-256, SCRAM-SHA-1 in that
// order: channel binding first. PLAIN is never offered. The channel binding
// policy, and the ejabberd 23.01 case, are in SCRAM.md. The password is asked
// from Config.Password at each attempt, handed to the SASL mechanism and not
// kept. Roster pushes and carbons are accepted only from the account's bare
// JID (or with no 'from'); forged ones are ignored. Delivery receipts
// (XEP-0184) are requested on every chat message and returned only to
// senders allowed to see the user's presence, since a receipt reveals that
// the user is online.
//
// Hostile input (SECURITY.md): every stanza handler runs under a recover
// guard (guard.go), so a malformed stanza is dropped, reported and recorded
// in the audit log while the session goes on; stanzas are bounded in size
// (1 MiB), depth (32) and rate (5000/s after a burst of 5000), and
// directives or invalid UTF-8 end the stream (limits.go). IQ answers are
// taken only from the IQ's addressee. A resumption or acknowledgement that
// covers more than was sent is not believed: a new session sends the
// unacknowledged messages again. The profile may require SCRAM-SHA-256 or
// channel binding (security.min_sasl, security.require_channel_binding).
//
// # Stream management (XEP-0198)
//
// After binding, the session sends <enable resume='true'/> and waits for
// <enabled/> before sending anything else, so that both counters start at
// zero together. From then on:
//
//   - every inbound stanza is counted (h) once it has been turned into events;
//     <r/> is answered with <a h='...'/>;
//   - every outbound stanza is written under one mutex and appended to the
//     queue of unacknowledged stanzas in the same step, so the queue order is
//     the wire order; an <r/> follows each batch of commands that sent
//     something;
//   - <a h='...'/> pops the stanzas it covers; a chat message popped this way
//     is reported with event.Acked and leaves the outbox.
//
// When the connection drops, the counters and the queue are kept. The next
// attempt negotiates TLS and SASL as usual and then, in place of resource
// binding, sends <resume previd='...' h='...'/>. On <resumed h='...'/> the
// stanzas the server did receive are acknowledged and only the rest are
// written again: nothing is lost and nothing is duplicated, in either
// direction (the server re-sends what we did not count). If resumption
// fails, a new resource is bound, stream management is enabled afresh, and
// the chat messages that were never acknowledged are sent again with their
// original ids (other stanzas of the dead session, like presence and IQs,
// are dropped; presence is sent anew). In that one case a message the server
// received just before the cut can arrive twice, which XEP-0198 cannot
// prevent; the repeated id lets a receiving client spot it.
//
// A connection that goes silent is noticed by a keepalive: after 30 s without
// traffic the session asks for an acknowledgement (or sends a whitespace ping
// without stream management), and after 90 s of silence it drops the
// connection and resumes on a new one.
//
// # Outbox
//
// A message sent while offline is stored in DataDir/outbox.json (written
// atomically: temporary file, fsync, rename; mode 0600; message id,
// recipient, body and time only, never a secret) and reported as
// Sent{Queued: true}. On reconnection the outbox is sent (Sent again, without
// Queued) and each entry is removed once the server acknowledges it. When the
// session quits (or stops on a fatal error) with unacknowledged messages,
// they are put in the outbox; stream state itself is kept in memory only.
//
// # Configuration profiles over PubSub (XEP-0060)
//
// With Config.Profiles set, the session reports the profile in force at
// start and, after each new sign-in (not on a resumed stream, which keeps
// its subscriptions), subscribes the bare JID to the profile and bulletin
// nodes named by the profile's "it" section (by default
// urn:palisade:profile:1 and urn:palisade:bulletins:1 on pubsub.<domain>)
// and fetches their latest items. A node that does not exist yet is
// subscribed to again later. Items carry <signed xmlns='urn:palisade:signed:1'
// kind='profile|bulletin'> with the base64 file bytes and a detached JWS;
// package profile verifies and keeps them. A notification is taken only
// from the subscribed service's exact JID, on the current stream, for a
// subscribed node; IQ answers only from the JID asked. Anything else
// (a user sending a look-alike notification, another node) is ignored. A
// newer profile is put in force at once (rules and trust, then
// event.Profile with the changes); a refused one is event.ProfileRefused
// and the profile in force stays; the same item again is not reported
// twice. The profile's server CAs are trusted for the next connection, in
// addition to the system roots and Config.CAFile. Publish is the publishing
// side, for IT's tool.
//
// # Policy and files
//
// policy.go holds the engine built from the profile's rules (or
// policy.Unmanaged): every event about a peer carries its event.Trust, a
// send the policy refuses becomes event.Refused and nothing is written, and
// first messages from strangers are flagged as requests. A file send is
// judged before the file is opened; only then does upload.go find the
// XEP-0363 service, request a slot, PUT over HTTPS (dialling the configured
// server, verifying the upload host's name) and send the link with XEP-0066
// data. download.go turns received links into offers, fetches automatically
// only from internal and partner peers, checks every URL with package
// filesafe, stores into a private quarantine, scans with package scan, and
// releases clean files to the download folder.
//
// # Tor
//
// tor.go routes the stream and every file transfer through Tor's SOCKS port
// when policy.TorRoute says so (the profile's tor rule, then the user's
// set_tor choice in DataDir/tor.json, then Config.Tor.Enabled). Names go to
// Tor unresolved: no SRV or address lookup is made (the profile's tor_onion,
// else Config.Server, else the domain on the standard port). Tor is a
// SOCKS address as given, a running Tor through its control port, or
// Debian's tor started through bine (data in DataDir/tor, halted when the
// session stops); tor_state reports it. Tor on and unusable: nothing is
// dialled, Disconnected with code tor. A new profile that changes the route
// reconnects on the new one.
//
// # Focus hours
//
// focus.go enforces policy.Focus: during focus a 1:1 message (and a
// typing notification) from a sender no rule admits is held, kept in
// DataDir/focus-held.json, and emitted in arrival order with Held set when
// focus ends; presence shows dnd "Focus until HH:MM" meanwhile. Rules come
// from set_focus (DataDir/focus.json) or, until then or when locked, the
// profile's focus_hours (admitting colleagues).
//
// # Enrolment
//
// enrol.go keeps this device's identity: Config.DeviceKey (from the OS
// keyring, never written here) and the public state in DataDir/device.json.
// Enrol sends a certificate request to the profile's it.jid; IT's answer is
// taken only from there, for the pending request, for this key and JID,
// verified under the profile's identity CAs. An enrolled device publishes
// its chain on the PEP node urn:palisade:devices:1 (access model open); a
// lost key is reported (lost-key), its old item withdrawn and a new request
// sent. enroladmin.go is IT's side, for palisade-admin ca: requests read
// from IT's archive, answers sent to the requester. See docs/identity.md.
//
// # Peers' identities and signed messages
//
// identity.go fetches the device items of every peer the session deals
// with (roster contacts, peers messaged, room occupants with a real JID;
// again after 15 minutes on the next stanza from them, and at once on a PEP
// notification from their bare JID, asked for in the entity capabilities of
// caps.go), verifies them with the profile's identity verifier and puts the
// verdict in Trust. A verified peer showing a new uncertified device, a
// changed certificate or no verified device any more raises IdentityChanged
// and locks sends to it (RefusedIdentity) until AckIdentity; what was
// verified or acknowledged is kept in DataDir/identities.json (public data
// only). signature.go signs outgoing chat and room messages with
// Config.DeviceKey and judges incoming 1:1 signatures; it also reports what
// the server certificate chains to and enforces trusted_cas.pin_server.
// See docs/signed-messages.md.
package session
