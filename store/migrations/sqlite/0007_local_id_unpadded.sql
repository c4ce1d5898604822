-- A spreadsheet drops the leading zeros of a numeric Local ID ("123" for
-- "000123"); the night looks a number like that up by what it stands for,
-- so as not to create a second mailbox for one person. Only Local IDs
-- starting with a zero are in the index, so it costs nothing where none do.
-- The length comes first so that IDs of one width, imported in order
-- ("000122", "000123"…), go into the index in order too: keyed on the
-- number alone ("122", "123", "1230"…) each insert would land on a random
-- page, which doubled the time of a directory import.
CREATE INDEX mailboxes_local_id_unpadded ON mailboxes (length(ltrim(local_id, '0')), ltrim(local_id, '0'))
	WHERE local_id GLOB '0*';
