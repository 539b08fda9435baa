package demo

import (
	"fmt"
	"math/rand/v2"
)

// Client-side people for documents: names with their genitive forms, and positions.
var (
	maleNames = []struct{ Surname, SurnameGen, Name, NameGen, Patr, PatrGen string }{
		{"Андреев", "Андреева", "Виктор", "Виктора", "Павлович", "Павловича"},
		{"Белоусов", "Белоусова", "Михаил", "Михаила", "Юрьевич", "Юрьевича"},
		{"Гусев", "Гусева", "Олег", "Олега", "Иванович", "Ивановича"},
		{"Дмитриев", "Дмитриева", "Константин", "Константина", "Сергеевич", "Сергеевича"},
		{"Ершов", "Ершова", "Роман", "Романа", "Алексеевич", "Алексеевича"},
		{"Жуков", "Жукова", "Андрей", "Андрея", "Николаевич", "Николаевича"},
		{"Зайцев", "Зайцева", "Евгений", "Евгения", "Петрович", "Петровича"},
		{"Карпов", "Карпова", "Владимир", "Владимира", "Геннадьевич", "Геннадьевича"},
		{"Лазарев", "Лазарева", "Станислав", "Станислава", "Борисович", "Борисовича"},
		{"Макаров", "Макарова", "Юрий", "Юрия", "Васильевич", "Васильевича"},
		{"Никитин", "Никитина", "Григорий", "Григория", "Олегович", "Олеговича"},
		{"Орлов", "Орлова", "Вадим", "Вадима", "Егорович", "Егоровича"},
		{"Павлов", "Павлова", "Илья", "Ильи", "Дмитриевич", "Дмитриевича"},
		{"Романов", "Романова", "Артур", "Артура", "Маратович", "Маратовича"},
		{"Степанов", "Степанова", "Леонид", "Леонида", "Аркадьевич", "Аркадьевича"},
		{"Тарасов", "Тарасова", "Денис", "Дениса", "Викторович", "Викторовича"},
		{"Ушаков", "Ушакова", "Ринат", "Рината", "Ильдарович", "Ильдаровича"},
		{"Фролов", "Фролова", "Максим", "Максима", "Андреевич", "Андреевича"},
		{"Хабибуллин", "Хабибуллина", "Тимур", "Тимура", "Ришатович", "Ришатовича"},
		{"Шестаков", "Шестакова", "Антон", "Антона", "Евгеньевич", "Евгеньевича"},
	}
	femaleNames = []struct{ Surname, Name, Patr string }{
		{"Антонова", "Светлана", "Викторовна"}, {"Борисова", "Наталья", "Сергеевна"}, {"Васильева", "Людмила", "Петровна"},
		{"Григорьева", "Татьяна", "Андреевна"}, {"Ефимова", "Оксана", "Юрьевна"}, {"Захарова", "Галина", "Ивановна"},
		{"Ильина", "Вера", "Николаевна"}, {"Комарова", "Алёна", "Олеговна"}, {"Сафина", "Гульнара", "Рашидовна"},
	}
)

// person is a client-side contact.
type person struct {
	Name, NameGen, Position, Role, Phone, Email string
}

// Roles in the decision-making unit (documents' DMU roles).
const (
	roleDM   = "decision_maker"
	roleInfl = "influencer"
	roleUser = "user"
	roleBuy  = "gatekeeper"
)

// dmu draws a client's decision-making unit: a decision maker, an influencer and a buyer.
func dmu(r *rand.Rand, domain string) []person {
	dmPositions := []string{"Технический директор", "Главный инженер", "Генеральный директор", "Директор по производству"}
	inflPositions := []string{"Главный механик", "Главный энергетик", "Начальник цеха"}
	m := maleNames[r.IntN(len(maleNames))]
	m2 := maleNames[r.IntN(len(maleNames))]
	f := femaleNames[r.IntN(len(femaleNames))]
	phone := func() string {
		return fmt.Sprintf("+7 (%03d) %03d-%02d-%02d", 300+r.IntN(600), r.IntN(1000), r.IntN(100), r.IntN(100))
	}
	return []person{
		{Name: m.Surname + " " + m.Name + " " + m.Patr, NameGen: m.SurnameGen + " " + m.NameGen + " " + m.PatrGen,
			Position: dmPositions[r.IntN(len(dmPositions))], Role: roleDM, Phone: phone(), Email: "director@" + domain},
		{Name: m2.Surname + " " + m2.Name + " " + m2.Patr, Position: inflPositions[r.IntN(len(inflPositions))], Role: roleInfl, Phone: phone(), Email: "mech@" + domain},
		{Name: f.Surname + " " + f.Name + " " + f.Patr, Position: "Специалист отдела закупок", Role: roleBuy, Phone: phone(), Email: "zakupki@" + domain},
	}
}

// Notes of the activities, by what happened.
var (
	dialNotes   = []string{"недозвон", "секретарь, просили перезвонить", "не на месте", "занято", "переадресовали на главного механика", "оставил сообщение"}
	followNotes = []string{"уточнили сроки", "напомнил о КП", "ответил на технические вопросы", "согласовали следующий шаг", "уточнили комплектацию"}
)
