package requisites

import (
	"fmt"
	"math/rand/v2"
)

// The Synthetic… functions build valid-looking requisites for demo data from a
// seeded *rand.Rand (math/rand/v2), so a fixed seed always yields the same
// numbers. They panic on malformed arguments: those are constants in the
// generator's code, not user input. Synthetic numbers can coincide with real
// companies' numbers; demo documents must be marked «ДЕМО».

func randDigits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func mustRegion(region string) {
	if len(region) != 2 || !allDigits(region) || region == "00" {
		panic(fmt.Sprintf("requisites: region %q must be two digits 01–99", region))
	}
}

// SyntheticINN10 returns a valid 10-digit organisation INN whose first two
// digits are region (e.g. "66" for Sverdlovsk oblast). It panics unless region
// is two digits other than "00".
func SyntheticINN10(r *rand.Rand, region string) string {
	mustRegion(region)
	body := region + randDigits(r, 7)
	return body + string(innCheckDigit(body, inn10Weights[:]))
}

// SyntheticINN12 returns a valid 12-digit INN of an individual or ИП whose
// first two digits are region. It panics unless region is two digits other
// than "00".
func SyntheticINN12(r *rand.Rand, region string) string {
	mustRegion(region)
	body := region + randDigits(r, 8)
	body += string(innCheckDigit(body, inn12Weights1[:]))
	return body + string(innCheckDigit(body, inn12Weights2[:]))
}

// SyntheticKPP returns the КПП of an organisation's head office for a 10-digit
// INN: the INN's first four digits (its tax office), reason code 01 and serial
// 001, e.g. "665801001" for INN 6658…. It panics unless inn has ten digits.
func SyntheticKPP(inn string) string {
	if !IsINN10(inn) {
		panic(fmt.Sprintf("requisites: SyntheticKPP needs a 10-digit INN, got %q", inn))
	}
	return inn[:4] + "01001"
}

func mustYear(year int) {
	if year < 1991 || year > 2099 {
		panic(fmt.Sprintf("requisites: registration year %d out of range", year))
	}
}

// SyntheticOGRN returns a valid 13-digit ОГРН of an organisation registered in
// year (two digits kept) in region, first digit 1: 1 YY RR + 7 random digits +
// check digit. It panics on a malformed region or a year outside 1991–2099.
func SyntheticOGRN(r *rand.Rand, year int, region string) string {
	mustRegion(region)
	mustYear(year)
	body := fmt.Sprintf("1%02d%s%s", year%100, region, randDigits(r, 7))
	return body + string(ogrnCheckDigit(body))
}

// SyntheticOGRNIP returns a valid 15-digit ОГРНИП registered in year in
// region: 3 YY RR + 9 random digits + check digit. It panics on a malformed
// region or a year outside 1991–2099.
func SyntheticOGRNIP(r *rand.Rand, year int, region string) string {
	mustRegion(region)
	mustYear(year)
	body := fmt.Sprintf("3%02d%s%s", year%100, region, randDigits(r, 9))
	return body + string(ogrnCheckDigit(body))
}

// SyntheticAccount returns a 20-digit account with a valid key at bik.
// prefix gives the leading digits: five (balance account, e.g. "40702" for a
// commercial organisation, "40802" for an ИП; currency 810 is appended) or
// eight (balance account and currency, e.g. "40702978" for euro). The digits
// after the key are random. It panics if bik is malformed or prefix is not 5 or
// 8 digits.
func SyntheticAccount(r *rand.Rand, bik, prefix string) string {
	if checkBIK(bik) != nil {
		panic(fmt.Sprintf("requisites: SyntheticAccount: malformed BIK %q", bik))
	}
	switch {
	case len(prefix) == 5 && allDigits(prefix):
		prefix += "810"
	case len(prefix) == 8 && allDigits(prefix):
	default:
		panic(fmt.Sprintf("requisites: SyntheticAccount: prefix %q must be 5 or 8 digits", prefix))
	}
	return withKey(prefix+"0"+randDigits(r, 11), bik)
}

// SyntheticCorrAccount returns the correspondent account that a bank with the
// given BIK would have: 30101 810 K 00000000 + the BIK's last three digits,
// with a valid key. It panics if bik is malformed or belongs to a CBR
// division, which has no correspondent account.
func SyntheticCorrAccount(bik string) string {
	if checkBIK(bik) != nil || IsCBRDivision(bik) {
		panic(fmt.Sprintf("requisites: SyntheticCorrAccount: %q is not a commercial bank's BIK", bik))
	}
	return withKey("30101810"+"0"+"00000000"+bik[6:], bik)
}

func withKey(account, bik string) string {
	k, err := AccountKey(account, bik)
	if err != nil {
		panic(err)
	}
	return account[:8] + string(byte('0'+k)) + account[9:]
}
