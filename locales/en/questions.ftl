## Candidates' questions (/ask, /questions) and frequently asked questions (/faq)

cmd-ask = Ask the campaign office a question
cmd-questions = Candidates' open questions
cmd-faq = Frequently asked questions

questions-register-first = Questions and answers open after you register as a candidate: /start
questions-ask-prompt = Write your question in one message (up to { $limit } characters): the coordinators of your organisation or district will get it. Leave: /cancel
questions-text-only = Please send text, in one message. Leave: /cancel
questions-too-long = Too long: { $length } characters, the limit is { $limit }. Please shorten it and send it again.
questions-asked = ✅ Question #{ $id } was sent to the campaign office. The answer will come here, to this chat.
questions-new = ❓ <b>New question #{ $id }</b> from candidate { $name }:

    { $text }
questions-button-answer = Answer
questions-button-answer-id = Answer #{ $id }
questions-list = <b>Open questions</b> ({ $count }), oldest first:
questions-item = <b>#{ $id }</b> · { $name } · { $date }
    { $text }
questions-more = Showing the first { $count }; answer them to see the next ones.
questions-empty = No open questions.
questions-gone = This question is not available.
questions-already-answered = This question has already been answered.
questions-answer-prompt = Question #{ $id } from candidate { $name }:

    { $text }

    Write the answer in one message (up to { $limit } characters): it goes to the candidate. Leave: /cancel
questions-answer-header = 💬 <b>The campaign office answers</b> your question “{ $question }”:
questions-answer-sent = ✅ The answer to question #{ $id } was sent to the candidate.
questions-answer-undelivered = The answer to question #{ $id } is saved, but could not be delivered: the candidate may have blocked the bot.
questions-button-faq = ➕ To FAQ
questions-faq-prompt = The answer goes into the FAQ unchanged and is visible to everyone registered: make sure it holds no personal data.

    Write a short wording of the question, without names or personal details (up to { $limit } characters). Leave: /cancel
questions-faq-added = ✅ Added to the FAQ: “{ $question }”. See: /faq
questions-faq-exists = This answer is already in the FAQ.

faq-title = <b>Frequently asked questions</b>, latest first. Search: /faq words
faq-found = <b>Frequently asked questions</b> matching “{ $query }”: { $count }
faq-entry = ❓ <b>{ $question }</b>
    { $answer }
faq-more = …and { $count } more. Narrow the search: /faq words
faq-empty = The FAQ is empty so far. Ask the campaign office: /ask
faq-not-found = Nothing found for “{ $query }”. Ask the campaign office: /ask
