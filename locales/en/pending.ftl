## /pending: one queue of everything that waits for a coordinator (quest tasks and what other parts plug in)

review-answer = • { $question }: { $answer }
