"""What changed in the archive, for those who copy it: the changes feed (JSON, under the API),
an Atom feed of new and changed records, and an OAI-PMH 2.0 provider. All three read the one
list of public changes in `changes`."""
