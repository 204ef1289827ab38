"""Knowledge about third parties: registrable domains, owners, categories, known cookies, filter lists."""
