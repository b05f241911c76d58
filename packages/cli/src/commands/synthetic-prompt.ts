/** A prompt of about `tokens` tokens, built from plain words. */
export function syntheticPrompt(tokenize: (text: string) => number[], tokens: number): string {
  const words = ['the', 'model', 'reads', 'a', 'long', 'prompt', 'about', 'rivers', 'and', 'mountains'];
  let text = '';
  for (let i = 0; tokenize(text).length < tokens && i < tokens * 4; i++) text += `${words[i % words.length]} `;
  return text.trim();
}
