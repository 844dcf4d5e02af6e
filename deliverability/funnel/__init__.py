"""Why "sent" is not "delivered": the delivery funnel, pending ageing, accepted but not seen."""
