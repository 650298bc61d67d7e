// Command palisade-admin is the IT administrator's tool for Palisade's
// signed configuration profiles and security bulletins:
//
//	palisade-admin keygen --out DIR [--name NAME]      make an Ed25519 signing key pair (JWK files)
//	palisade-admin sign --key PRIV.jwk FILE            check FILE and write its detached signature FILE.jws
//	palisade-admin verify [--keys DIR] FILE            verify FILE.jws against the trusted keys
//	palisade-admin show [--data-dir DIR]               the profile in force in a client's data directory
//	palisade-admin bulletin new --id ID --title T ...  write a bulletin document to stdout
//	palisade-admin explain --profile FILE JID...       what the profile's policy decides for a JID
//	palisade-admin publish --jid IT@DOMAIN --password-fd N FILE
//	                                                   publish a signed profile or bulletin over PubSub
//	palisade-admin training inbox|status|verify         collect and verify users' signed training
//	                                                   completion reports; who is done, who is not
//	palisade-admin ca init|issue|revoke|crl|inbox|approve|reject|list
//	                                                   run the identity CA: device certificates,
//	                                                   requests over XMPP, revocation (docs/identity.md)
//
// Exit codes: 0 success, 1 refused or failed, 2 usage error. Every command
// has -h. docs/it-guide.md is the guide for IT.
//
// Each command lives in its own file and adds itself to the command table
// from an init function (see register in main.go), so a command can be added
// without touching the others. The logic is in run(args, stdout, stderr),
// which the tests call in-process.
//
// This is a command-line tool without a GUI: it must not import Fyne or the
// ui package.
package main
