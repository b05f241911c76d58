export async function scaffoldPlugin(_o: unknown): Promise<{dir: string; files: string[]}> { throw new Error('todo'); }
