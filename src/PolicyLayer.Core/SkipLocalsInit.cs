// Every stackalloc in this library is a scratch buffer written before it is read (decoded strings, hashes), so
// zeroing it first is wasted work on the authorization path: a 256-character buffer costs as much to clear as
// the comparison it serves.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
