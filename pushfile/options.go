package pushfile

// Registry answers whether organisation and organisation-unit codes exist.
// Codes are passed upper-cased. A nil Registry in Options means only the
// shape of the codes is checked.
type Registry interface {
	HasOrganisation(code string) bool
	HasUnit(org, unit string) bool
}

// Options configures Open.
type Options struct {
	// Registry checks organisation and unit codes; nil checks only their shape.
	Registry Registry
	// Picklists holds the allowed Title, ClinicalRole, ClinicalSpeciality and
	// WorkArea values; nil uses DefaultPicklists.
	Picklists *Picklists
}
