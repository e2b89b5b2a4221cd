"""The resource families, one package each: records and store (`models`), request schemas, thin handlers, errors."""
