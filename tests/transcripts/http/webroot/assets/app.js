export const transcript = true;
