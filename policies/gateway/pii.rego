# Prompts with PII (input.signals, found by the gateway's detectors) may only go to providers
# whose config says `data_residency: private`. data.pii:
#
#   types   the PII types that count (email, phone, card, iban, national_id)
#   action  private_only       keep private targets; deny when none is left
#           redact             mask the PII ([REDACTED:email]) and keep the targets
#           private_or_redact  keep private targets; when none is left, mask instead
#
# Without data.pii nothing happens.
package gateway

default pii_action := "private_or_redact"

pii_action := data.pii.action

pii_found := {t | some t in input.signals.pii_types; t in data.pii.types}

has_pii if count(pii_found) > 0

# The targets the request would use: the routing plan, else the catalog's target.
candidate_targets := planned_targets

candidate_targets := [catalog_target] if not planned_targets

private_targets := [t | some t in candidate_targets; input.providers[t.provider].data_residency == "private"]

targets := private_targets if {
	has_pii
	pii_action != "redact"
	count(private_targets) > 0
} else := planned_targets

redact_pii if {
	has_pii
	pii_action == "redact"
}

redact_pii if {
	has_pii
	pii_action == "private_or_redact"
	count(private_targets) == 0
}

redact contains t if {
	redact_pii
	some t in pii_found
}

pii_list := concat(", ", sort(pii_found))

deny contains {"status": 403, "message": $"the prompt contains PII ({pii_list}) and no private provider can serve it"} if {
	has_pii
	pii_action == "private_only"
	count(private_targets) == 0
}

reasons contains "pii: sent to private providers only" if {
	has_pii
	not redact_pii
	count(private_targets) > 0
}

reasons contains "pii: redacted" if redact_pii

tags contains "pii" if has_pii
