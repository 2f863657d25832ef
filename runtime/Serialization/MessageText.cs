using System;
using System.Collections.Generic;
using System.Text;

namespace LstmGen.Serialization
{
    /// <summary>
    /// Keeps error messages short whatever a file holds: a name of a hundred megabytes, or a header of a
    /// million tensors, is shown by its start and its size, and a list by its first items and a count.
    /// </summary>
    internal static class MessageText
    {
        /// <summary>The most items a message lists.</summary>
        public const int MaxItems = 10;

        /// <summary>The most characters of a name (or any text from a file) a message shows.</summary>
        public const int MaxName = 200;

        /// <summary>The name itself, or its first <see cref="MaxName"/> characters and its length.</summary>
        public static string Name(string name) =>
            name.Length <= MaxName ? name : name.Substring(0, MaxName) + $"... ({name.Length} characters)";

        /// <summary>The first <see cref="MaxItems"/> items, formatted and joined with commas, then how many more there are.</summary>
        public static string List<T>(IEnumerable<T> items, Func<T, string> format)
        {
            var text = new StringBuilder();
            int count = 0;
            foreach (T item in items)
            {
                if (count < MaxItems)
                {
                    if (count > 0)
                    {
                        text.Append(", ");
                    }

                    text.Append(format(item));
                }

                count++;
            }

            if (count > MaxItems)
            {
                text.Append(", and ").Append(count - MaxItems).Append(" more");
            }

            return text.ToString();
        }
    }
}
