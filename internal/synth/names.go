package synth

// The realistic name pool: common first names of a UK health workforce and
// common UK surnames, each list in rough order of how common the name is.
// A name's weight falls with its rank (see newPool), so a million people
// include hundreds of John Smiths, as a national directory does. A few
// names carry accents, apostrophes, hyphens or spaces, and Zoe and Zoë
// fold to the same address, as they do in real directories.

func realFirstNames() []string {
	return []string{
		"Sarah", "David", "Emma", "John", "Claire", "Michael", "Laura", "Paul", "Rebecca", "Andrew",
		"Helen", "James", "Rachel", "Mark", "Lisa", "Richard", "Nicola", "Peter", "Karen", "Stephen",
		"Jennifer", "Christopher", "Amy", "Daniel", "Louise", "Robert", "Hannah", "Thomas", "Samantha", "Matthew",
		"Elizabeth", "Ian", "Katie", "Simon", "Gemma", "Mohammed", "Jane", "Steven", "Jessica", "Gary",
		"Sophie", "Anthony", "Susan", "Jonathan", "Victoria", "Kevin", "Charlotte", "Martin", "Joanne", "Alan",
		"Natalie", "Neil", "Catherine", "Jason", "Kelly", "Adam", "Lucy", "Benjamin", "Emily", "Graham",
		"Michelle", "William", "Angela", "Philip", "Amanda", "Lee", "Julie", "Colin", "Deborah", "Priya",
		"Alison", "Joseph", "Caroline", "Christine", "Jamie", "Anna", "Ruth", "Carl", "Kirsty", "Darren",
		"Zoe", "Craig", "Kate", "Sean", "Fiona", "Alexander", "Mary", "Tom", "Jacqueline", "Luke",
		"Stacey", "Ryan", "Hayley", "Scott", "Leanne", "Muhammad", "Patricia", "George", "Linda", "Oliver",
		"Margaret", "Ben", "Sharon", "Edward", "Tracey", "Samuel", "Wendy", "Keith", "Dawn", "Ahmed",
		"Jo", "Gareth", "Joanna", "Rhys", "Beverley", "Nathan", "Debbie", "Aaron", "Siân", "Adrian",
		"Donna", "Tim", "Lorraine", "Ali", "Maria", "Fatima", "Grace", "Raj", "Anita", "Mohammad",
		"Aisha", "Sunita", "Imran", "Deepa", "Ravi", "Pooja", "Sanjay", "Asif", "Ayesha", "Omar",
		"Niamh", "Ciara", "Aoife", "Seán", "Chloé", "Zoë", "Bethan", "Ffion", "Dafydd", "Eilidh",
		"Olumide", "Ngozi", "Chinedu", "Adebayo", "Oluwaseun", "Kwame", "Blessing", "Joy", "Tomasz", "Piotr",
		"Agnieszka", "Katarzyna", "Marta", "Elena", "Irina", "Ana", "José", "Mei", "Wei", "Jun",
		"Hassan", "Arjun", "Anil", "Shabana", "Nasreen", "Farah", "Yasmin", "Tariq", "Bilal", "Usman",
		"Abigail", "Megan", "Eleanor", "Harriet", "Imogen", "Alice", "Florence", "Isabel", "Molly", "Lauren",
		"Harry", "Jack", "Charlie", "Joshua", "Callum", "Liam", "Connor", "Kieran", "Dominic", "Hugh",
	}
}

func realSurnames() []string {
	return []string{
		"Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
		"Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
		"Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill",
		"Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen",
		"James", "Scott", "Phillips", "Watson", "Davis", "Parker", "Price", "Bennett", "Young", "Griffiths",
		"Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy",
		"Miller", "Cox", "Richards", "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh",
		"Begum", "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali",
		"Hunt", "Hussain", "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight",
		"Lloyd", "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey",
		"Graham", "Pearson", "Ahmed", "Fletcher", "Walsh", "Kaur", "Gibson", "Howard", "Andrews", "Stewart",
		"Elliott", "Reynolds", "Saunders", "Payne", "Fox", "Ford", "Pearce", "Day", "Brooks", "West",
		"Lawrence", "Cole", "Atkinson", "Bradley", "Spencer", "Gill", "Dawson", "Ball", "Burton", "O'Brien",
		"Watts", "Rose", "Booth", "Perry", "Ryan", "Grant", "Wells", "Armstrong", "Francis", "Rees",
		"Hayes", "Hart", "Hudson", "Newman", "Barrett", "Webster", "Hunter", "Gregory", "Carr", "Lowe",
		"Page", "Marsh", "Riley", "Dunn", "Woods", "Parsons", "Berry", "Stone", "Reid", "Holland",
		"Hawkins", "Harding", "Porter", "Robertson", "Newton", "Oliver", "Reed", "Kennedy", "Williamson", "Bird",
		"Gardner", "Shah", "Dean", "Lane", "Cooke", "Bates", "Henderson", "Parry", "Burgess", "Bishop",
		"Walton", "Burns", "Nicholson", "Shepherd", "Ross", "Cross", "Long", "Freeman", "Warren", "Nicholls",
		"Hamilton", "Byrne", "Sutton", "McDonald", "Yates", "Hodgson", "Robson", "Curtis", "Hopkins", "O'Connor",
		"Harper", "Coleman", "Watkins", "Moss", "McCarthy", "Chambers", "O'Neill", "Griffin", "Sharp", "Hardy",
		"Wheeler", "Potter", "Osborne", "Johnston", "Gordon", "Doyle", "Wallace", "George", "Jordan", "Hutchinson",
		"Rowe", "Burke", "May", "Pritchard", "Gilbert", "Willis", "Higgins", "Read", "Miles", "Stevenson",
		"Stephenson", "Hammond", "Arnold", "Buckley", "Walters", "Hewitt", "Barber", "Nelson", "Slater", "Austin",
		"Sullivan", "Whitehead", "Mann", "Frost", "Lambert", "Stephens", "Blake", "Akhtar", "Lynch", "Goodwin",
		"Barton", "Woodward", "Thomson", "Cunningham", "Quinn", "Barnett", "Baxter", "Bibi", "Clayton", "Nash",
		"Greenwood", "Jennings", "Holt", "Kemp", "Poole", "Gallagher", "Bond", "Stokes", "Tucker", "Davidson",
		"Fowler", "Heath", "Norman", "Middleton", "Lawson", "Banks", "French", "Stanley", "Jarvis", "Gibbs",
		"Ferguson", "Hayward", "Carroll", "Douglas", "Dickinson", "Todd", "Barlow", "Peters", "Lucas", "Knowles",
		"Okafor", "Adeyemi", "Nguyen", "Chen", "Wang", "Kowalski", "Nowak", "Núñez", "Lloyd-Jones", "Ó Briain",
	}
}

// pool draws names with falling weights: the name of rank r (from 0) has
// weight 1/(r+offset). With offset 10 over the 300 surnames, Smith is 2.9%
// of people and the rarest surname 0.09%; with offset 8 over the 200 first
// names, Sarah is 3.8% and John 2.8%.
type pool struct {
	names []string
	cum   []uint32 // cum[i] is the top of name i's share of 2^32
}

func newPool(names []string, offset float64) pool {
	var total float64
	for r := range names {
		total += 1 / (float64(r) + offset)
	}
	p := pool{names: names, cum: make([]uint32, len(names))}
	var acc float64
	for r := range names {
		acc += 1 / (float64(r) + offset)
		p.cum[r] = uint32(min(acc/total*(1<<32), 1<<32-1))
	}
	p.cum[len(names)-1] = 1<<32 - 1
	return p
}

// pick returns the index of the name whose share holds x.
func (p pool) pick(x uint32) int {
	lo, hi := 0, len(p.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if p.cum[mid] < x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// share is the fraction of people given name i.
func (p pool) share(i int) float64 {
	lo := uint32(0)
	if i > 0 {
		lo = p.cum[i-1]
	}
	return float64(p.cum[i]-lo) / (1 << 32)
}
