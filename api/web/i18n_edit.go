package web

// The texts of the client edit form and of deleting a draft (Russian first, English second).
func init() {
	AddMessages(map[string][2]string{
		"company.edit":        {"изменить реквизиты", "edit the requisites"},
		"company.edit_title":  {"Реквизиты клиента", "Client requisites"},
		"company.edit_note":   {"Изменения войдут в новые документы; оформленные документы хранят реквизиты, с которыми оформлены.", "New documents take the change; final documents keep the requisites they were made with."},
		"company.saved":       {"Реквизиты клиента сохранены.", "The client's requisites were saved."},
		"company.stale":       {"Пока вы редактировали, реквизиты этого клиента изменил кто-то другой. Ваши изменения не сохранены: в форме теперь текущие значения.", "Someone else changed this client's requisites while you were editing. Your changes were not saved: the form now shows the current values."},
		"company.stale_yours": {"Вы вводили (внесите нужное ещё раз и сохраните):", "What you had typed (enter what is still needed again and save):"},
		"company.stale_same":  {"То, что вы меняли, уже совпадает с текущими значениями: вносить заново нечего.", "What you changed already matches the current values: there is nothing to apply again."},

		"doc.delete":             {"Удалить черновик", "Delete the draft"},
		"doc.delete_title":       {"Удалить черновик?", "Delete the draft?"},
		"doc.delete_warning":     {"Черновик удаляется безвозвратно. Окончательные документы не удаляются никогда: ошибку в них исправляют новой версией.", "The draft is deleted for good. Final documents are never deleted: a mistake in one is corrected by a new version."},
		"doc.delete_confirm":     {"Да, удалить черновик", "Yes, delete the draft"},
		"doc.deleted":            {"Черновик удалён.", "The draft was deleted."},
		"doc.delete_final":       {"Окончательный документ нельзя удалить: это доказательство по сделке. Ошибку исправляют новой версией (кнопка «Исправить»).", "A final document cannot be deleted: it is evidence of the deal. A mistake is corrected by a new version (the «Correct» button)."},
		"doc.delete_closed_deal": {"Сделка закрыта: её документы больше не меняются.", "The deal is closed: its documents no longer change."},
	})
}
