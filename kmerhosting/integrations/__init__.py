"""Outside services: the domain registrar (dna/) and mail (mail/)."""
