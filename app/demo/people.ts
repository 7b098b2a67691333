/** The two demo users (Auth emulator uids) and the CRM records the page shows. */
export interface Person {
  uid: string;
  name: string;
  role: string;
  company: string;
}

export const people: Record<string, Person> = {
  ana: { uid: 'ana', name: 'Ana Weber', role: 'Account executive', company: 'Firecall Demo GmbH' },
  ben: { uid: 'ben', name: 'Ben Okafor', role: 'Support engineer', company: 'Acme Logistics' },
};

/** Contacts that are not demo users: calling them rings until nobody answers. */
export const otherContacts: Person[] = [{ uid: 'carla', name: 'Carla Jensen', role: 'Procurement', company: 'Acme Logistics' }];

export const deal = { recordType: 'deal', recordId: 'D-311', label: 'Deal D-311 · Acme renewal, 240 seats' };
export const ticket = { recordType: 'ticket', recordId: 'T-1042', label: 'Ticket T-1042 · Calls drop behind VPN' };

export function otherUser(uid: string): Person {
  return uid === 'ana' ? people.ben! : people.ana!;
}
