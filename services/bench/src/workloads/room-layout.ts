/**
 * How the rooms workload seats its clients: C clients over R replicas and M rooms, so that rooms
 * are the same size (within one), every room has members on every replica (when it has at least R
 * members), and each room's senders sit on different replicas, the rooms' senders spread over all.
 *
 * Clients are dealt round-robin over the replicas as in every workload; then, replica by replica,
 * each one's clients are dealt round-robin over the rooms, continuing where the previous replica
 * stopped. Dealing client i to room i mod M instead would put a room on one replica only whenever
 * R divides M (30 rooms, 3 replicas), and never cross Redis.
 */

export interface SeatedClient {
  /** Replica index: the deployment's target(replica). */
  replica: number;
  room: number;
}

export interface RoomLayoutPlan {
  /** Every client, the senders first (round by round: one sender of each room, then the next). */
  clients: SeatedClient[];
  /** How many of the first clients send: rooms x senders per room. */
  senders: number;
  /** Members per room, by room number. */
  members: number[];
}

export function planRooms(options: {
  clients: number;
  replicas: number;
  rooms: number;
  sendersPerRoom: number;
}): RoomLayoutPlan {
  const { clients, replicas, rooms, sendersPerRoom } = options;
  const share = (q: number) => Math.max(0, Math.ceil((clients - q) / replicas));
  const firstSeat: number[] = [];
  for (let q = 0, seat = 0; q < replicas; seat += share(q), q++) firstSeat.push(seat);
  const seated = Array.from({ length: clients }, (_, i): SeatedClient => {
    const replica = i % replicas;
    return { replica, room: ((firstSeat[replica] as number) + Math.floor(i / replicas)) % rooms };
  });
  const members = new Array<number>(rooms).fill(0);
  for (const c of seated) members[c.room] = (members[c.room] as number) + 1;
  const smallest = Math.min(...members);
  if (sendersPerRoom > smallest) {
    throw new Error(`${sendersPerRoom} senders per room, but a room has only ${smallest} members`);
  }

  const chosen = new Set<number>();
  const bySender: number[] = [];
  for (let s = 0; s < sendersPerRoom; s++) {
    for (let room = 0; room < rooms; room++) {
      // Sender s of room r on replica (r + s) mod R when the room has an unchosen member there.
      const wanted = (room + s) % replicas;
      const free = (i: number) => seated[i]?.room === room && !chosen.has(i);
      let pick = seated.findIndex((c, i) => c.replica === wanted && free(i));
      if (pick === -1) pick = seated.findIndex((_, i) => free(i));
      chosen.add(pick);
      bySender.push(pick);
    }
  }
  const rest = seated.map((_, i) => i).filter((i) => !chosen.has(i));
  return {
    clients: [...bySender, ...rest].map((i) => seated[i] as SeatedClient),
    senders: bySender.length,
    members,
  };
}
